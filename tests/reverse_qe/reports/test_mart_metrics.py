"""Each mart's numbers for Dagster's plots tab, from the rows the report page read of a published copy."""

import datetime as dt
from decimal import Decimal

from reverse_qe.reports.mart_metrics import mart_metrics
from reverse_qe.reports.page import PageData
from tests import handmade_warehouse
from tests.reverse_qe.reports.test_report_page import page_data


def test_every_mart_has_its_row_count_and_the_weekly_marts_their_latest_week(tmp_path):
    metrics = mart_metrics(page_data(tmp_path))
    assert set(handmade_warehouse.MARTS) <= set(metrics)
    assert metrics["fct_liquidity_bathtub"]["dagster/row_count"] == handmade_warehouse.WEEKS
    assert metrics["fct_chain_holder_systemicness"] == {"dagster/row_count": 16}  # 4 quarters x 4 holders
    absorption = metrics["fct_capex_absorption"]
    assert absorption["week_ending"] == handmade_warehouse.LATEST_WEEK
    assert absorption["score"] == handmade_warehouse.LATEST_SCORE
    # week 39 of the hand-made bathtub: 7000 - 5*39 - (750 + 3*39) - 5 and 5 + (300 - 4*39)
    bathtub = metrics["fct_liquidity_bathtub"]
    assert bathtub["week_ending"] == "2025-10-01"
    assert (bathtub["net_liquidity_bn"], bathtub["idle_pool_bn"]) == (5933.0, 149.0)
    assert all(type(value) in (int, float, str) for m in metrics.values() for value in m.values())


def test_the_latest_week_is_the_greatest_date_and_its_nulls_are_left_out():
    weeks = [dt.date(2025, 1, 8), dt.date(2025, 1, 15), dt.date(2025, 1, 1)]  # not in order
    rows = [{"week_ending": w, "score": None if i == 1 else 10.0 * i, "slack_bn": Decimal("-2.5")}
            for i, w in enumerate(weeks)]
    data = PageData(marts={"fct_capex_absorption": rows, "fct_liquidity_bathtub": []},
                    row_counts={"fct_capex_absorption": 3, "fct_liquidity_bathtub": 0}, columns={})
    metrics = mart_metrics(data)
    assert metrics["fct_capex_absorption"] == {"dagster/row_count": 3, "week_ending": "2025-01-15", "slack_bn": -2.5}
    assert metrics["fct_liquidity_bathtub"] == {"dagster/row_count": 0}  # no week: nothing but the count
