"""13F amendments as the SEC defines them, run as the project's real SQL in DuckDB (``tests.dbt_sql``).

A RESTATEMENT is the whole report again and replaces it; a NEW HOLDINGS amendment adds lines and
never removes the report's; several amendments apply in filing order. The cases are the public
failure patterns: tools that kept only the latest filing lost a 3,982-line portfolio to an 80-line
NEW HOLDINGS amendment, and restatements holding part of a report lose the rest.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from tests.dbt_sql import render_model

EFFECTIVE = render_model("intermediate/holdings/int_holdings__effective_filings.sql")
POSITIONS = render_model("intermediate/holdings/int_holdings__positions.sql")
RESTATEMENTS = render_model("intermediate/holdings/int_holdings__restatements.sql")
ORPHANS = render_model("intermediate/holdings/int_holdings__orphan_amendments.sql")
PERIOD = dt.date(2024, 12, 31)
CIK = 1_234_567


def _cusip(i: int) -> str:
    return f"Q{i:07d}0"


class Filer:
    """One filer's filings for one period, in any order; each filing's lines by CUSIP."""

    def __init__(self):
        self.submissions, self.covers, self.lines = [], [], []

    def file(self, accession: str, filed: dt.date, cusips: range | list[int], *, amendment: str | None = None,
             value: float = 100.0) -> Filer:
        self.submissions.append({"accession_number": accession, "cik": CIK, "submission_type": "13F-HR/A" if amendment else "13F-HR",
                                 "filing_date": filed, "period_of_report": PERIOD, "value_unit_by_rule": "usd", "source_mode": "replay"})
        self.covers.append({"accession_number": accession, "amendment_type": amendment, "filing_manager_name": "A FILER"})
        self.lines += [{"accession_number": accession, "infotable_sk": n, "cusip": _cusip(i), "name_of_issuer": "X",
                        "value_usd": value, "shares_or_principal": 10, "is_option": False, "source_mode": "replay"}
                       for n, i in enumerate(cusips, start=1)]
        return self

    def run(self, sql: str) -> pd.DataFrame:
        conn = duckdb.connect()
        conn.register("s", pd.DataFrame(self.submissions))
        conn.register("c", pd.DataFrame(self.covers).astype({"amendment_type": "object"}))
        conn.register("i", pd.DataFrame(self.lines))
        conn.execute("create table stg_sec13f__submissions as select * from s")
        conn.execute("create table stg_sec13f__coverpages as select accession_number, cast(amendment_type as varchar) "
                     "as amendment_type, filing_manager_name from c")
        conn.execute("create table int_holdings__infotable_in_usd as select * from i")
        conn.execute(f"create table int_holdings__effective_filings as {EFFECTIVE}")
        return conn.execute(sql).df()

    def effective(self) -> dict[str, str]:
        frame = self.run("select accession_number, filing_role from int_holdings__effective_filings")
        return dict(zip(frame["accession_number"], frame["filing_role"]))

    def positions(self) -> pd.DataFrame:
        return self.run(POSITIONS)


def test_an_80_line_new_holdings_amendment_adds_to_a_3982_line_report_and_removes_nothing():
    filer = (Filer().file("report", dt.date(2025, 2, 14), range(3982))
             .file("added", dt.date(2025, 3, 3), range(5000, 5080), amendment="NEW HOLDINGS"))
    assert filer.effective() == {"report": "base", "added": "new_holdings"}
    positions = filer.positions()
    assert len(positions) == 3982 + 80
    assert positions["value_usd"].sum() == 100.0 * (3982 + 80)
    assert set(positions["cusip"]) >= {_cusip(0), _cusip(3981), _cusip(5079)}


def test_new_holdings_amendments_add_in_filing_order_whatever_order_they_arrive_in():
    filer = (Filer().file("second", dt.date(2025, 3, 10), [20, 21], amendment="NEW HOLDINGS")
             .file("report", dt.date(2025, 2, 14), range(10))
             .file("first", dt.date(2025, 3, 1), [10], amendment="NEW HOLDINGS"))
    assert filer.effective() == {"report": "base", "first": "new_holdings", "second": "new_holdings"}
    assert len(filer.positions()) == 13


def test_a_restatement_replaces_the_report_and_the_new_holdings_filed_before_it_but_not_after():
    filer = (Filer().file("report", dt.date(2025, 2, 14), range(100))
             .file("added_before", dt.date(2025, 2, 20), [500], amendment="NEW HOLDINGS")
             .file("restated", dt.date(2025, 3, 1), range(100), amendment="RESTATEMENT", value=90.0)
             .file("added_after", dt.date(2025, 3, 5), [600, 601], amendment="NEW HOLDINGS"))
    assert filer.effective() == {"restated": "base", "added_after": "new_holdings"}
    positions = filer.positions().set_index("cusip")
    assert len(positions) == 102 and _cusip(500) not in positions.index
    assert positions.loc[_cusip(0), "value_usd"] == 90.0  # the restated value, not the sum of both


def test_of_two_restatements_the_later_one_is_the_report():
    filer = (Filer().file("report", dt.date(2025, 2, 14), range(50))
             .file("r1", dt.date(2025, 3, 1), range(50), amendment="RESTATEMENT")
             .file("r2", dt.date(2025, 4, 1), range(48), amendment="RESTATEMENT"))
    assert filer.effective() == {"r2": "base"}
    assert len(filer.positions()) == 48


def test_same_day_filings_apply_in_accession_order():
    filer = (Filer().file("0000000001-25-000002", dt.date(2025, 3, 1), range(5), amendment="RESTATEMENT")
             .file("0000000001-25-000001", dt.date(2025, 2, 14), range(9))
             .file("0000000001-25-000003", dt.date(2025, 3, 1), [50], amendment="NEW HOLDINGS"))
    assert filer.effective() == {"0000000001-25-000002": "base", "0000000001-25-000003": "new_holdings"}


def test_a_partial_restatement_replaces_as_defined_and_is_reported():
    """A 'restatement' of 80 lines for a 3,982-line report: the SEC's definition makes it the report
    (the holdings follow the filer's own label), and int_holdings__restatements says it is partial."""
    filer = (Filer().file("report", dt.date(2025, 2, 14), range(3982))
             .file("partial", dt.date(2025, 3, 1), range(80), amendment="RESTATEMENT")
             .file("whole", dt.date(2025, 2, 20), range(3990), amendment="RESTATEMENT"))
    assert len(filer.positions()) == 80
    restatements = filer.run(RESTATEMENTS).set_index("accession_number")
    assert restatements.loc["partial", "replaced_accession_number"] == "whole"
    assert restatements.loc["partial", "replaced_lines"] == 3990 and bool(restatements.loc["partial", "is_partial"])
    assert restatements.loc["whole", "replaced_accession_number"] == "report"
    assert not restatements.loc["whole", "is_partial"]


def test_an_amendment_without_a_cover_page_type_is_not_applied():
    filer = Filer().file("report", dt.date(2025, 2, 14), range(10)).file("unknown", dt.date(2025, 3, 1), range(3), amendment=None)
    filer.submissions[-1]["submission_type"] = "13F-HR/A"  # an amendment whose cover page says no type
    assert filer.effective() == {"report": "base"}


def test_a_new_holdings_amendment_without_its_report_is_listed_not_taken_for_the_report():
    """The original is in a data set not loaded: the 80 added lines are not the portfolio, so they
    reach no position, and int_holdings__orphan_amendments lists the amendment with its lines and
    value (the warn test new_holdings_without_their_report counts it)."""
    filer = (Filer().file("added", dt.date(2025, 3, 3), range(5000, 5080), amendment="NEW HOLDINGS", value=250.0)
             .file("other_period", dt.date(2025, 2, 14), range(3)))
    filer.submissions[-1]["period_of_report"] = dt.date(2024, 9, 30)  # a report, but of another period
    assert filer.effective() == {"other_period": "base"}
    assert {d.date() for d in filer.positions()["period_of_report"]} == {dt.date(2024, 9, 30)}
    orphans = filer.run(ORPHANS)
    assert orphans[["accession_number", "lines", "value_usd"]].to_dict("records") == [
        {"accession_number": "added", "lines": 80, "value_usd": 80 * 250.0}]
    assert not orphans["reaches_positions"].any()


def test_a_new_holdings_amendment_with_its_report_loaded_is_no_orphan():
    for amendment in (None, "RESTATEMENT"):
        filer = (Filer().file("report", dt.date(2025, 2, 14), range(10), amendment=amendment)
                 .file("added", dt.date(2025, 3, 3), [50], amendment="NEW HOLDINGS"))
        if amendment:  # a restatement alone is a report too
            filer.submissions[0]["submission_type"] = "13F-HR/A"
        assert filer.run(ORPHANS).empty
