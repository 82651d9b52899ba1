"""13F VALUE units per filing, run as the project's real SQL in DuckDB (``tests.dbt_sql``).

Each case is a small quarter of filings: filers that follow the SEC's date rule (thousands before
2023-01-03, dollars after), and the failures real filings show: a filer that reported dollars in
2022, a small amendment filed after the switch still in thousands, a table in neither unit, lines
that do not add up to the summary page, and filings whose securities nobody else reports (no
reference price, so the summary page decides).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from tests.dbt_sql import render_model

REFERENCE = render_model("intermediate/holdings/int_holdings__reference_prices.sql")
UNITS = render_model("intermediate/holdings/int_holdings__filing_units.sql")
IN_USD = render_model("intermediate/holdings/int_holdings__infotable_in_usd.sql")
RECONCILIATION = render_model("marts/fct_13f_unit_reconciliation.sql")
PERIOD = dt.date(2022, 12, 31)
PRICES = {"AAA000001": 50.0, "BBB000001": 120.0, "CCC000001": 8.0}
SHARES = {"AAA000001": 10_000, "BBB000001": 2_000, "CCC000001": 50_000}


class Quarter:
    """Filings of one period of report, built line by line, then run through the models."""

    def __init__(self):
        self.submissions, self.summaries, self.lines = [], [], []

    def filing(self, accession: str, filed: dt.date, holdings: dict[str, tuple[int, float]], *,
               unit_factor: float, declared_factor: float | None = None, declared_scale: float = 1.0,
               lines_declared: int | None = None, amendment: bool = False, summary: bool = True) -> None:
        """``holdings``: cusip -> (shares, price); VALUE is written as value_usd / ``unit_factor``
        (1000: thousands, 1: dollars); the summary page declares the total in ``declared_factor``
        (the lines' own unit by default), times ``declared_scale``."""
        rule_unit = "usd_thousands" if filed < dt.date(2023, 1, 3) else "usd"
        self.submissions.append({"accession_number": accession, "cik": hash(accession) % 10_000, "submission_type":
                                 "13F-HR/A" if amendment else "13F-HR", "filing_date": filed,
                                 "period_of_report": PERIOD, "value_unit_by_rule": rule_unit, "source_mode": "replay"})
        values = []
        for sk, (cusip, (shares, price)) in enumerate(holdings.items(), start=1):
            value = round(shares * price / unit_factor)
            values.append(value)
            self.lines.append({"accession_number": accession, "infotable_sk": sk, "cusip": cusip, "name_of_issuer": cusip,
                               "title_of_class": "COM", "value_reported": value, "shares_or_principal": shares,
                               "shares_or_principal_type": "SH", "put_call": None, "is_option": False,
                               "source_mode": "replay"})
        if summary:
            declared = sum(values) * unit_factor / (declared_factor or unit_factor) * declared_scale
            self.summaries.append({"accession_number": accession, "table_entry_total": lines_declared or len(values),
                                   "table_value_total": round(declared)})

    def run(self, sql: str) -> pd.DataFrame:
        conn = duckdb.connect()
        conn.register("s", pd.DataFrame(self.submissions))
        conn.register("p", pd.DataFrame(self.summaries, columns=["accession_number", "table_entry_total", "table_value_total"]))
        conn.register("i", pd.DataFrame(self.lines))
        conn.execute("create table stg_sec13f__submissions as select * from s")
        conn.execute("create table stg_sec13f__summarypages as select accession_number, "
                     "cast(table_entry_total as bigint) as table_entry_total, cast(table_value_total as bigint) as table_value_total from p")
        conn.execute("create table stg_sec13f__infotable as select * from i")
        conn.execute(f"create table int_holdings__reference_prices as {REFERENCE}")
        conn.execute(f"create table int_holdings__filing_units as {UNITS}")
        return conn.execute(f"select * from ({sql}) as t").df()

    def units(self) -> pd.DataFrame:
        return self.run(UNITS).set_index("accession_number")


def _portfolio(scale: float = 1.0, cusips=tuple(PRICES)) -> dict[str, tuple[int, float]]:
    return {c: (round(SHARES[c] * scale), PRICES[c]) for c in cusips}


def _market(q: Quarter, n: int = 6) -> None:
    """``n`` filers that follow the rule: originals filed in February 2023 (dollars)."""
    for k in range(n):
        q.filing(f"m{k}", dt.date(2023, 2, 10), _portfolio(1 + k / 10), unit_factor=1)


def test_filings_that_follow_the_rule_reconcile_in_it():
    q = Quarter()
    _market(q)
    q.filing("old", dt.date(2022, 11, 14), _portfolio(), unit_factor=1000)  # thousands, filed before the switch
    units = q.units()
    assert set(units["unit_status"]) == {"rule"} and set(units["unit_evidence"]) == {"prices"}
    assert units["total_reconciles"].all() and not units["is_flagged"].any()
    assert units.loc["old", "value_unit"] == "usd_thousands"
    assert units.loc["old", "value_usd"] == pytest.approx(sum(s * p for s, p in _portfolio().values()), rel=1e-3)


def test_a_filer_that_reported_dollars_in_2022_is_read_in_dollars_and_flagged_as_corrected():
    """The rule says thousands (filed 2022-11-14); the whole filing, summary page included, is in
    dollars: its implied prices are 1000 times the others'. Read by the rule, it would be 1000 times
    too large."""
    q = Quarter()
    _market(q)
    q.filing("dollars_2022", dt.date(2022, 11, 14), _portfolio(), unit_factor=1)
    row = q.units().loc["dollars_2022"]
    assert (row["value_unit_by_rule"], row["value_unit"], row["unit_status"]) == ("usd_thousands", "usd", "corrected")
    assert row["price_ratio"] == pytest.approx(1000, rel=0.01)
    assert row["value_usd"] == pytest.approx(sum(s * p for s, p in _portfolio().values()), rel=1e-6)
    assert row["total_reconciles"] and not row["is_flagged"]


def test_a_small_amendment_filed_after_the_switch_in_thousands_is_read_in_thousands():
    """A two-line amendment for 2022 filed in March 2023, its VALUE still in thousands (the period's
    old unit): read by the rule (dollars) it is 1000 times too small; public tools get such small
    amendments 1000 times off."""
    q = Quarter()
    _market(q)
    q.filing("late_amendment", dt.date(2023, 3, 20), _portfolio(cusips=("AAA000001", "BBB000001")),
             unit_factor=1000, amendment=True)
    row = q.units().loc["late_amendment"]
    assert (row["value_unit_by_rule"], row["value_unit"], row["unit_status"]) == ("usd", "usd_thousands", "corrected")
    assert row["value_usd"] == pytest.approx(10_000 * 50 + 2_000 * 120, rel=1e-3)


def test_lines_in_dollars_under_a_summary_in_thousands_are_corrected_and_reconcile():
    """The ×1000 pattern within one filing: the summary page in the rule's thousands, the lines in dollars."""
    q = Quarter()
    _market(q)
    q.filing("mixed", dt.date(2022, 11, 14), _portfolio(), unit_factor=1, declared_factor=1000)
    row = q.units().loc["mixed"]
    assert row["unit_status"] == "corrected" and row["total_reconciles"] and not row["is_flagged"]


def test_a_filing_in_neither_unit_is_flagged_and_kept_in_the_rules_unit():
    q = Quarter()
    _market(q)
    q.filing("garbled", dt.date(2023, 2, 10), _portfolio(), unit_factor=1 / 37)  # 37 times too large
    units = q.units()
    row = units.loc["garbled"]
    assert (row["value_unit"], row["unit_status"], bool(row["is_flagged"])) == ("usd", "unresolved", True)
    assert row["value_usd"] == pytest.approx(37 * sum(s * p for s, p in _portfolio().values()), rel=1e-6)  # kept
    assert not units.drop(index="garbled")["is_flagged"].any()  # one bad filer does not move the reference prices


def test_lines_that_do_not_add_up_to_the_summary_page_are_flagged():
    q = Quarter()
    _market(q)
    q.filing("short", dt.date(2023, 2, 10), _portfolio(), unit_factor=1, declared_scale=1.5, lines_declared=5)
    q.filing("within", dt.date(2023, 2, 10), _portfolio(), unit_factor=1, declared_scale=1.009)
    units = q.units()
    assert units.loc["short", "unit_status"] == "rule" and not units.loc["short", "total_reconciles"]
    assert units.loc["short", "is_flagged"] and units.loc["short", "table_entry_total"] == 5
    assert units.loc["within", "total_reconciles"] and not units.loc["within", "is_flagged"]  # 0.9% < 1%


@pytest.mark.parametrize(("unit_factor", "declared_factor", "status"), [
    (1000, None, "rule"),          # thousands throughout, as the rule says
    (1, 1000, "corrected"),        # lines in dollars, declared total in thousands
    (1 / 37, 1000, "unresolved"),  # neither
])
def test_without_a_reference_price_the_summary_page_decides(unit_factor, declared_factor, status):
    """Securities no other filer reports (fewer than 3 filings): no implied-price evidence."""
    q = Quarter()
    q.filing("alone", dt.date(2022, 11, 14), {"ZZZ000001": (1_000, 30.0), "ZZZ000002": (300, 7.5)},
             unit_factor=unit_factor, declared_factor=declared_factor)
    row = q.units().loc["alone"]
    assert (row["unit_evidence"], row["priced_lines"], row["unit_status"]) == ("summary_total", 0, status)
    assert bool(row["is_flagged"]) == (status == "unresolved")


def test_a_filing_without_a_summary_page_keeps_the_rule_unflagged():
    q = Quarter()
    _market(q)
    q.filing("no_summary", dt.date(2023, 2, 10), _portfolio(), unit_factor=1, summary=False)
    row = q.units().loc["no_summary"]
    assert row["unit_status"] == "rule" and pd.isna(row["total_reconciles"]) and not row["is_flagged"]


def test_lines_are_read_in_their_filings_resolved_unit():
    q = Quarter()
    _market(q)
    q.filing("dollars_2022", dt.date(2022, 11, 14), _portfolio(), unit_factor=1)
    lines = q.run(IN_USD).set_index(["accession_number", "cusip"])
    assert lines.loc[("dollars_2022", "AAA000001"), "value_usd"] == 10_000 * 50
    assert lines.loc[("dollars_2022", "AAA000001"), "unit_status"] == "corrected"
    assert lines.loc[("m0", "AAA000001"), "value_usd"] == 10_000 * 50


def test_the_quarter_counts_reconciled_corrected_and_flagged_filings():
    q = Quarter()
    _market(q, n=8)
    q.filing("dollars_2022", dt.date(2022, 11, 14), _portfolio(), unit_factor=1)
    q.filing("garbled", dt.date(2023, 2, 10), _portfolio(), unit_factor=1 / 37)
    (row,) = q.run(RECONCILIATION).to_dict("records")
    assert (row["filings"], row["filings_with_summary"], row["filings_unit_corrected"],
            row["filings_unit_unresolved"], row["filings_flagged"]) == (10, 10, 1, 1, 1)
    assert row["filings_reconciled"] == 9  # the garbled table adds up to its own summary, in no known unit
    assert row["reconciled_share"] == 0.9
    assert float(row["value_flagged_bn"]) == pytest.approx(37 * sum(s * p for s, p in _portfolio().values()) / 1e9, abs=1e-6)
