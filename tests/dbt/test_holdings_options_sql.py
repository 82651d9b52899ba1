"""Options stay apart from holdings, with a notional: the real SQL of ``int_holdings__option_positions``
(and ``int_holdings__positions``) in DuckDB (``tests.dbt_sql``)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from tests.dbt_sql import render_model

OPTIONS = render_model("intermediate/holdings/int_holdings__option_positions.sql")
POSITIONS = render_model("intermediate/holdings/int_holdings__positions.sql")
PERIOD = dt.date(2024, 12, 31)


def _run(sql: str) -> pd.DataFrame:
    conn = duckdb.connect()
    conn.register("f", pd.DataFrame([{"cik": 1, "period_of_report": PERIOD, "accession_number": "a", "filing_role": "base",
                                      "filing_manager_name": "ONE"}]))
    lines = [  # cusip, put_call, value reported (as the filer chose), underlying shares
        ("19260Q107", "Put", 7_000.0, 1_000), ("19260Q107", "Put", 3_000.0, 500), ("19260Q107", "Call", 90_000.0, 2_000),
        ("Z00000010", "Call", 500.0, 100), ("19260Q107", None, 400_000.0, 10_000)]
    conn.register("i", pd.DataFrame([{"accession_number": "a", "cusip": c, "put_call": pc, "value_usd": v,
                                       "shares_or_principal": n, "is_option": pc is not None, "name_of_issuer": c,
                                       "source_mode": "replay"} for c, pc, v, n in lines]))
    conn.register("r", pd.DataFrame([{"period_of_report": PERIOD, "cusip": "19260Q107", "reference_price_usd": 40.0}]))
    conn.execute("create table int_holdings__effective_filings as select * from f")
    conn.execute("create table int_holdings__infotable_in_usd as select * from i")
    conn.execute("create table int_holdings__reference_prices as select * from r")
    return conn.execute(sql).df()


def test_options_carry_a_notional_of_underlying_shares_times_the_reference_price():
    options = _run(OPTIONS).set_index(["cusip", "put_call"])
    put = options.loc[("19260Q107", "Put")]
    assert (put["shares_or_principal"], put["lines"], put["value_usd"]) == (1_500, 2, 10_000.0)  # reported, kept
    assert put["underlying_price_usd"] == 40.0 and put["notional_usd"] == 1_500 * 40.0
    assert options.loc[("19260Q107", "Call"), "notional_bn"] * 1e9 == 2_000 * 40.0
    unknown = options.loc[("Z00000010", "Call")]
    assert pd.isna(unknown["notional_usd"]) and unknown["value_usd"] == 500.0  # no reference price: no notional


def test_option_lines_are_not_holdings():
    positions = _run(POSITIONS)
    assert positions[["cusip", "shares_or_principal", "value_usd"]].values.tolist() == [["19260Q107", 10_000, 400_000.0]]
