"""The reconciliation and freshness maths on hand-written frames (no Dagster, no DuckDB)."""

import datetime as dt

import pandas as pd
import pytest

from reverse_qe import reconciliations as rec
from tests import oracles


def test_week_ending_is_the_wednesday_of_a_thursday_to_wednesday_week():
    dates = pd.Series(pd.to_datetime(["2021-06-17", "2021-06-23", "2021-06-24", "2021-06-20"]))
    assert rec.week_ending_wednesday(dates).dt.strftime("%Y-%m-%d").tolist() == [
        "2021-06-23", "2021-06-23", "2021-06-30", "2021-06-23"]


def test_tga_vs_wtregen_flags_a_week_average_outside_the_daily_range():
    tga = pd.DataFrame({"record_date": pd.to_datetime(
        ["2021-06-17", "2021-06-18", "2021-06-21", "2021-06-22", "2021-06-23",
         "2021-06-24", "2021-06-25", "2021-06-28"]),
        "tga_close_bn": [700.0, 710.0, 720.0, 730.0, 740.0, 800.0, 810.0, 820.0]})
    fed = pd.DataFrame({"observation_date": pd.to_datetime(["2021-06-23", "2021-06-30"]),
                        "value_bn": [725.0, 835.5]})
    weeks = rec.tga_vs_wtregen(tga, fed, tolerance_bn=10)
    assert weeks["dts_min_bn"].tolist() == [700.0, 800.0]
    assert weeks["outside_bn"].tolist() == [0.0, 15.5]  # 835.5 - max 820
    assert weeks["breach"].tolist() == [False, True]


def _balances(rows):
    return pd.DataFrame(rows, columns=["record_date", "account_type", "open_today_bal", "close_today_bal"])


def test_tga_close_from_raw_follows_each_label_era():
    balances = _balances([
        ("2021-09-29", "Federal Reserve Account", 100_000, None),
        ("2021-09-30", "Federal Reserve Account", 110_000, None),
        ("2021-10-01", "Treasury General Account (TGA)", 115_000, None),
        ("2021-10-12", "Treasury General Account (TGA)", 118_000, None),  # 11 days later: no bridge
        ("2022-04-18", "Treasury General Account (TGA) Opening Balance", 130_000, None),
        ("2022-04-18", "Treasury General Account (TGA) Closing Balance", 140_500, None),
    ])
    close = oracles.tga_close_from_raw(balances)
    assert close.loc["2021-09-29"] == 110.0 and close.loc["2021-09-30"] == 115.0
    assert pd.isna(close.loc["2021-10-01"]) and close.loc["2022-04-18"] == 140.5


def test_bathtub_recomputation_and_mismatch():
    fred = pd.DataFrame({
        "series_id": ["WALCL", "RRPONTSYD", "RRPONTSYD"],
        "observation_date": ["2021-06-23", "2021-06-22", "2021-06-23"],
        "value": [8_101_946.0, 790.0, 791.512]})
    balances = _balances([("2021-06-23", "Federal Reserve Account", 719_902, None),
                          ("2021-06-24", "Federal Reserve Account", 712_906, None)])
    net = oracles.bathtub_net_liquidity_from_raw(fred, balances)
    assert net.loc["2021-06-23"] == pytest.approx(8101.946 - 712.906 - 791.512, abs=1e-9)
    mart = pd.DataFrame({"week_ending": [dt.date(2021, 6, 23)], "net_liquidity_bn": [6597.528]})
    assert rec.bathtub_mismatches(mart, net).empty
    wrong = mart.assign(net_liquidity_bn=[6597.5])
    assert rec.bathtub_mismatches(wrong, net)["mart_bn"].tolist() == [6597.5]


def test_the_run_time_recomputation_takes_the_daily_tga_close_as_dbt_computed_it():
    fred = pd.DataFrame({"series_id": ["WALCL", "RRPONTSYD"], "observation_date": ["2021-06-23", "2021-06-23"],
                         "value": [8_101_946.0, 791.512]})
    tga = pd.DataFrame({"record_date": ["2021-06-22", "2021-06-23"], "tga_close_bn": [719.902, 712.906]})
    net = rec.bathtub_net_liquidity(fred, tga)
    assert net.loc["2021-06-23"] == pytest.approx(8101.946 - 712.906 - 791.512, abs=1e-9)


def test_dts_vs_mspd_compares_monthly_net_issuance_with_the_change_in_debt_held_by_the_public():
    transactions = pd.DataFrame({
        "record_date": ["2024-02-01", "2024-02-15", "2024-02-15", "2024-03-01", "2024-03-05"],
        "transaction_type": ["Issues", "Redemptions", "Issues", "Issues", "Redemptions"],
        "security_marketability": ["Marketable", "Marketable", "Nonmarketable", "Marketable", "Marketable"],
        "transaction_today_amt": [300_000.0, 100_000.0, 50_000.0, 400_000.0, 380_000.0]})
    mspd = pd.DataFrame({"record_date": ["2024-01-31", "2024-02-29", "2024-03-31"],
                         "marketable_held_by_public_bn": [27_000.0, 27_195.0, 27_100.0]})
    months = rec.dts_vs_mspd(transactions, mspd)
    assert months["dts_net_issuance_bn"].tolist() == [200.0, 20.0]
    assert months["mspd_change_bn"].tolist() == [195.0, -95.0]
    assert months["breach"].tolist() == [False, True]  # 5 within max(25, 10); 115 beyond 25


def test_stale_series_by_cadence():
    latest = pd.DataFrame({"series": ["DGS10", "WALCL", "SOFR", "EMPTY"],
                           "latest_date": pd.to_datetime(["2026-11-18", "2026-11-04", "2026-11-13", None]),
                           "cadence": ["daily", "weekly", "daily", "daily"]})
    stale = rec.stale_series(latest, dt.date(2026, 11, 20))
    assert stale["series"].tolist() == ["WALCL", "SOFR", "EMPTY"]  # 16 > 10, 7 > 5, no data


def test_column_types_accept_nullable_integers_whole_floats_and_categoricals_only():
    import pandas as pd

    from reverse_qe.validation.suites import column_types
    from reverse_qe.warehouse import RawTable

    table = RawTable("t", {"fy": "integer", "name": "varchar", "v": "double"}, key=("fy",))
    check = column_types(table)
    good = pd.DataFrame({"fy": pd.array([2024, None], dtype="Int64"),
                         "name": pd.Categorical(["a", "b"]), "v": [1.0, 2.0]})
    assert check.run(good) == []
    assert check.run(good.assign(fy=[2024.0, float("nan")])) == []  # whole numbers with a gap
    (finding,) = check.run(good.assign(fy=[2024.0, 2025.5]))
    assert finding.message == "column 'fy' must hold integer values; found float64"
    (finding,) = check.run(good.assign(v=["1", "2"]))
    assert finding.message == "column 'v' must hold double values; found object"
