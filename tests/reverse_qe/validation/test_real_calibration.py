"""The raw suites' rules, calibrated on real downloads: real excerpts pass (tests/fixtures/real_excerpts,
origins in tests/fixtures/SOURCES.md), and each rule still catches what it is for."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from assets.funding_flows import (
    DTS_OPERATING_CASH_BALANCE,
    DTS_PUBLIC_DEBT_TRANSACTIONS,
    FRED_OBSERVATIONS,
)
from reverse_qe.sources.parsers.fiscal_data import (
    parse_dts_operating_cash_balance,
    parse_dts_public_debt_transactions,
)
from reverse_qe.sources.parsers.fred import parse_fred_csv
from reverse_qe.validation.gx import ValidationOutcome, validate_raw_batch
from reverse_qe.validation.suites import raw_suite_for
from tests.conftest import FIXTURES as TESTS_FIXTURES

EXCERPTS = TESTS_FIXTURES / "real_excerpts"
AS_OF = dt.date(2026, 12, 3)


def validate(frame: pd.DataFrame, table, date_column: str, location: str) -> ValidationOutcome:
    frame = frame.assign(source_mode="replay", source_uri=location)
    return validate_raw_batch(frame, raw_suite_for(table, date_column=date_column, as_of=AS_OF))


def fred(relative: str, series_id: str, replace: tuple[bytes, bytes] | None = None) -> ValidationOutcome:
    path = EXCERPTS / relative
    content = path.read_bytes()
    if replace:
        assert replace[0] in content
        content = content.replace(*replace)
    return validate(parse_fred_csv(content, location=str(path), series_id=series_id), FRED_OBSERVATIONS,
                    "observation_date", str(path))


def errors(outcome: ValidationOutcome) -> list[str]:
    return [f.check for f in outcome.errors]


@pytest.mark.parametrize("relative, series_id", [
    ("fred/WRESBAL_observation_date_millions.csv", "WRESBAL"),   # 2,795 $mn and a x5.4 weekly step (2006-03)
    ("fred/WTREGEN_observation_date_millions.csv", "WTREGEN"),   # $mn vintage, stored in $bn
    ("frb_ddp/PRATES_IOER_IORR_IORB_DDP.csv", "IOER"),
    ("frb_ddp/PRATES_IOER_IORR_IORB_DDP.csv", "IORB"),
    ("fred/BAMLH0A0HYM2_DATE_dot_missing.csv", "BAMLH0A0HYM2"),
    ("fred/RRPONTSYD_observation_date_empty_and_trimmed.csv", "RRPONTSYD"),
    ("fred/NFCI_observation_date_2008_peak.csv", "NFCI"),  # the real maximum 3.05018, on Fridays
    ("fred/STLFSI4_observation_date_2008_peak.csv", "STLFSI4"),  # the real maximum 9.6351
])
def test_real_fred_excerpts_pass(relative, series_id):
    outcome = fred(relative, series_id)
    assert outcome.success, outcome.message()


def test_wresbal_in_billions_is_refused_naming_the_unit_and_the_file():
    outcome = fred("fred/WRESBAL_DATE_billions_pyoph.csv", "WRESBAL")
    assert not outcome.success
    message = outcome.message()
    assert "WRESBAL (usd_mn) from 2009-01-01 must lie within 100,000..inf" in message
    assert "$bn of an older FRED download" in message
    assert "[fred]" in message and "WRESBAL_DATE_billions_pyoph.csv, row 2" in message


def test_wresbal_weekly_step_still_catches_a_lost_digit():
    # x5.4 (2006-03-15, real) passes; a value /10 a week later does not.
    outcome = fred("fred/WRESBAL_observation_date_millions.csv", "WRESBAL", (b"2021-12-08,4275806", b"2021-12-08,427580"))
    assert "unit_jump" in errors(outcome)


def test_wtregen_mixing_both_units_in_one_file_is_refused():
    # One $bn row among $mn rows: the file reads as $mn, the $bn row becomes 1.8 $bn beside 1,800.
    outcome = fred("fred/WTREGEN_observation_date_millions.csv", "WTREGEN", (b"2020-07-29,1816687.000", b"2020-07-29,1816.687"))
    assert "unit_jump" in errors(outcome)


def test_fred_quarterly_aggregate_of_a_weekly_series_is_refused():
    outcome = fred("fred/TREAST_DATE_quarterly_aggregated.csv", "TREAST")
    assert errors(outcome) == ["weekly_on_wednesday"]
    assert "a FRED download aggregated to another frequency" in outcome.message()


def test_stress_composite_with_a_lost_decimal_point_is_refused():
    outcome = fred("fred/STLFSI4_observation_date_2008_peak.csv", "STLFSI4", (b"2008-10-10,9.6351", b"2008-10-10,96.351"))
    assert errors(outcome) == ["ExpectColumnValuesToBeBetween(value)"]
    assert "STLFSI4 (index) must lie within -5..25" in outcome.message()


def test_stress_composite_dated_on_wednesdays_is_refused_naming_its_friday():
    # a Friday-dated index re-dated to the H.4.1 Wednesday is no FRED download of it
    outcome = fred("fred/NFCI_observation_date_2008_peak.csv", "NFCI", (b"2008-11-28", b"2008-11-26"))
    assert errors(outcome) == ["weekly_on_wednesday"]
    assert "NFCI is a weekly series dated on Fridays, found 2008-11-26 (Wednesday)" in outcome.message()


def _pdt(replace: tuple[bytes, bytes] | None = None) -> ValidationOutcome:
    path = EXCERPTS / "fiscal_data" / "dts_public_debt_transactions_site_export_negatives_III-A_IIIA.csv"
    content = path.read_bytes()
    if replace:
        assert replace[0] in content
        content = content.replace(*replace, 1)
    frame = parse_dts_public_debt_transactions(content, location=str(path), fmt="csv")
    return validate(frame, DTS_PUBLIC_DEBT_TRANSACTIONS, "record_date", str(path))


def test_dts_negative_issue_adjustments_pass():
    outcome = _pdt()
    assert outcome.success, outcome.message()


@pytest.mark.parametrize("old, new, check", [
    # a sign error on a real bill issue of that day
    (b"2023-12-29,Issues,Marketable,Bills,Regular Series,-8,1497032,5103379",
     b"2023-12-29,Issues,Marketable,Bills,Regular Series,-1497032,1497032,5103379",
     "ExpectColumnValuesToBeBetween(transaction_today_amt)"),
    # a negative redemption
    (b"Redemptions,Marketable,Bills,null,0,1772406,", b"Redemptions,Marketable,Bills,null,0,-1772406,",
     "ExpectColumnValuesToBeBetween(transaction_mtd_amt)"),
    # the month-to-date column in $ thousands
    (b",-8,1497032,", b",-8,1497032000,", "ExpectColumnValuesToBeBetween(transaction_mtd_amt)"),
])
def test_dts_sign_and_unit_errors_are_still_caught(old, new, check):
    assert _pdt().success
    outcome = _pdt((old, new))
    assert check in errors(outcome)


def test_dts_operating_cash_balance_three_label_eras_pass():
    path = EXCERPTS / "fiscal_data" / "dts_operating_cash_balance_site_export_3_label_eras.csv"
    frame = parse_dts_operating_cash_balance(path.read_bytes(), location=str(path), fmt="csv")
    outcome = validate(frame, DTS_OPERATING_CASH_BALANCE, "record_date", str(path))
    assert outcome.success, outcome.message()
