"""The SYNTHETIC funding-flows scenario: formats, determinism, internal consistency and the story.

Files are read with plain pandas / csv / json here, not with the project's parsers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from reverse_qe.scenario.calendar import (
    business_days,
    is_business_day,
    us_federal_holidays,
    weekdays,
)
from reverse_qe.scenario.funding_flows import FRED_SERIES, generate_funding_flows
from tests.conftest import REPO

END = dt.date(2026, 11, 20)
EARLY_END = dt.date(2022, 6, 15)  # a Wednesday, inside the four-row DTS era
SEED = 20180101
ROOT = REPO

WEEKLY = {"WALCL", "TREAST", "WTREGEN", "WRESBAL"}
COMPOSITES = {"STLFSI4", "NFCI", "NFCIRISK", "NFCICREDIT", "NFCILEVERAGE", "ANFCI"}  # dated on Fridays
CASH = "fiscal_data/dts_operating_cash_balance.csv"
DEBT = "fiscal_data/dts_public_debt_transactions.csv"
NYFED = "nyfed/reverse_repo_operations.json"
ALL_FILES = sorted([f"fred/{s}.csv" for s in FRED_SERIES] + [CASH, DEBT, NYFED])
FOUR_ROWS = [
    "Treasury General Account (TGA) Opening Balance",
    "Total TGA Deposits (Table II)",
    "Total TGA Withdrawals (Table II) (-)",
    "Treasury General Account (TGA) Closing Balance",
]
OTHER_ACCOUNTS = ["Supplementary Financing Program Account", "Short-Term Cash Investments (Table V)"]


def _rel(paths: list[Path], root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in paths)


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("full")
    assert _rel(generate_funding_flows(out, end=END, seed=SEED), out) == ALL_FILES
    return out


@pytest.fixture(scope="module")
def early(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("early")
    generate_funding_flows(out, end=EARLY_END, seed=SEED)
    return out


def _fred(root: Path, series_id: str) -> pd.Series:
    df = pd.read_csv(root / "fred" / f"{series_id}.csv", parse_dates=["observation_date"], dtype={series_id: str})
    return df.set_index("observation_date")[series_id]


def _fred_float(root: Path, series_id: str) -> pd.Series:
    return pd.to_numeric(_fred(root, series_id), errors="raise")


def _cash(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / CASH, encoding="utf-8-sig", dtype=str)


def _debt(root: Path) -> pd.DataFrame:
    df = pd.read_csv(root / DEBT, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    for col in ("Transactions Today", "Transactions Month to Date", "Transactions Fiscal Year to Date"):
        df[col] = df[col].astype("int64")
    return df


def _operations(root: Path) -> list[dict]:
    return json.loads((root / NYFED).read_text())["repo"]["operations"]


def _tga_open_close(root: Path) -> tuple[pd.Series, pd.Series]:
    """TGA opening balance per day (all eras) and the closing balance where the export shows it."""
    cash = _cash(root)
    for col in ("Opening Balance Today", "Opening Balance This Month", "Opening Balance This Fiscal Year"):
        cash[col] = cash[col].astype("int64")
    labels = {"Federal Reserve Account", "Treasury General Account (TGA)", FOUR_ROWS[0]}
    opening = cash[cash["Type of Account"].isin(labels)].set_index("Record Date")["Opening Balance Today"]
    closing = cash[cash["Type of Account"] == FOUR_ROWS[3]].set_index("Record Date")["Opening Balance Today"]
    return opening.sort_index(), closing.sort_index()


# --- calendar -----------------------------------------------------------------------------------


def test_calendar_observed_holidays():
    hol = us_federal_holidays(dt.date(2018, 1, 1), dt.date(2026, 12, 31))
    for day in ("2018-01-01", "2019-12-25", "2021-07-05", "2022-06-20", "2023-01-02", "2024-01-15",
                "2024-02-19", "2025-05-26", "2025-10-13", "2026-09-07", "2026-11-26"):
        assert dt.date.fromisoformat(day) in hol, day
    # A Saturday holiday is not moved: the Fed is open on the Friday before.
    for day in ("2020-07-03", "2021-12-24", "2021-12-31", "2023-11-10", "2026-07-03"):
        assert is_business_day(dt.date.fromisoformat(day)), day
    # Juneteenth counts from 2022 on only; the Saturday date itself is never a business-day question
    assert dt.date(2021, 6, 18) not in hol
    assert dt.date(2023, 6, 19) in hol
    assert len([d for d in hol if d.year == 2023]) == 10
    assert not is_business_day(dt.date(2026, 11, 26)) and is_business_day(dt.date(2026, 11, 27))
    days = business_days(dt.date(2024, 12, 23), dt.date(2025, 1, 3))
    assert [d.isoformat() for d in days] == [
        "2024-12-23", "2024-12-24", "2024-12-26", "2024-12-27", "2024-12-30", "2024-12-31",
        "2025-01-02", "2025-01-03"]
    assert set(business_days(dt.date(2018, 1, 1), END)) == set(weekdays(dt.date(2018, 1, 1), END)) - hol


# --- determinism --------------------------------------------------------------------------------


def test_two_runs_are_byte_identical(full, tmp_path):
    # a separate process: nothing cached, another hash seed
    code = ("import datetime, pathlib, sys; from reverse_qe.scenario.funding_flows import "
            "generate_funding_flows as g; g(pathlib.Path(sys.argv[1]), end=datetime.date(2026, 11, 20))")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, cwd=ROOT,
                   env={**os.environ, "PYTHONHASHSEED": "123"})
    for name in ALL_FILES:
        assert (tmp_path / name).read_bytes() == (full / name).read_bytes(), name


def test_another_seed_gives_other_values(full, tmp_path):
    generate_funding_flows(tmp_path, end=END, seed=SEED + 1)
    assert (tmp_path / "fred/DGS10.csv").read_bytes() != (full / "fred/DGS10.csv").read_bytes()


def test_an_earlier_end_gives_the_same_rows(full, early):
    for series_id in FRED_SERIES:
        name = f"fred/{series_id}.csv"
        short, long_ = (early / name).read_bytes(), (full / name).read_bytes()
        assert long_.startswith(short), name
        if series_id != "IOER":  # IOER stops in 2021 in both
            assert len(short) < len(long_), name
    for name in (CASH, DEBT):  # newest first: the earlier file's rows are the full file's tail
        short = (early / name).read_bytes().splitlines(keepends=True)
        long_ = (full / name).read_bytes().splitlines(keepends=True)
        assert short[0] == long_[0]
        assert long_[-(len(short) - 1):] == short[1:], name
        assert short[1].startswith(EARLY_END.isoformat().encode())
    cut = EARLY_END.isoformat()
    assert _operations(early) == [op for op in _operations(full) if op["operationDate"] <= cut]


def test_end_outside_the_horizon_is_rejected(tmp_path):
    with pytest.raises(ValueError):
        generate_funding_flows(tmp_path, end=dt.date(2017, 12, 31))


# --- formats ------------------------------------------------------------------------------------

_DECIMALS = {"WTREGEN": 3, "RRPONTSYD": 3, "THREEFYTP10": 4, "WALCL": 0, "TREAST": 0, "WRESBAL": 0,
             "STLFSI4": 4, **{s: 5 for s in COMPOSITES - {"STLFSI4"}}}


@pytest.mark.parametrize("series_id", FRED_SERIES)
def test_fred_file_format(full, series_id):
    raw = (full / "fred" / f"{series_id}.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and raw.endswith(b"\n")
    lines = raw.decode().splitlines()
    assert lines[0] == f"observation_date,{series_id}"
    places = _DECIMALS.get(series_id, 2)
    number = r"-?\d+" + (rf"\.\d{{{places}}}" if places else "")
    pattern = re.compile(rf"^(\d{{4}}-\d{{2}}-\d{{2}}),({number})?$")
    dates = []
    for line in lines[1:]:
        match = pattern.match(line)
        assert match, line
        dates.append(dt.date.fromisoformat(match.group(1)))
        if series_id in WEEKLY | COMPOSITES:
            assert match.group(2) is not None, line
    assert dates == sorted(set(dates)) and dates[-1] <= END
    if series_id in WEEKLY:
        assert all(d.weekday() == 2 for d in dates)
        assert dates[0] == dt.date(2018, 1, 3) and (END - dates[-1]).days < 7
    elif series_id in COMPOSITES:  # every Friday, holidays too, as the real NFCI and STLFSI4 files
        assert dates == [d for d in weekdays(dt.date(2018, 1, 1), END) if d.weekday() == 4]
    else:
        first = {"SOFR": dt.date(2018, 4, 3), "IORB": dt.date(2021, 7, 29)}.get(series_id, dt.date(2018, 1, 1))
        last = dt.date(2021, 7, 28) if series_id == "IOER" else END
        assert dates == weekdays(first, last)


def test_daily_fred_rows_are_empty_exactly_on_holidays(full):
    hol = us_federal_holidays(dt.date(2018, 1, 1), END)
    for series_id in ("RRPONTSYD", "DGS10", "BAMLH0A0HYM2", "SOFR", "IORB"):
        s = _fred(full, series_id)
        empty = {d.date() for d in s.index[s.isna()]}
        assert empty == {d for d in hol if s.index[0].date() <= d}, series_id
    text = (full / "fred/DGS10.csv").read_text()
    assert "\n2022-06-20,\n" in text and "\n2025-12-25,\n" in text
    assert re.search(r"\n2021-06-18,\d", text)  # Juneteenth is a holiday from 2022 only


def test_dts_files_have_bom_exact_headers_and_business_days(full):
    cash_raw, debt_raw = (full / CASH).read_bytes(), (full / DEBT).read_bytes()
    for raw in (cash_raw, debt_raw):
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    assert cash_raw[3:].split(b"\n")[0].decode() == (
        "Record Date,Type of Account,Opening Balance Today,Opening Balance This Month,"
        "Opening Balance This Fiscal Year,Table Number,Table Name,Sub Table Name,Source Line Number,"
        "Fiscal Year,Fiscal Quarter Number,Calendar Year,Calendar Quarter Number,Calendar Month Number,"
        "Calendar Day Number")
    assert debt_raw[3:].split(b"\n")[0].decode() == (
        "Record Date,Transaction Type,Security Marketability,Security Type,Security Type Description,"
        "Transactions Today,Transactions Month to Date,Transactions Fiscal Year to Date,Table Number,"
        "Table Name,Source Line Number,Fiscal Year,Fiscal Quarter Number,Calendar Year,"
        "Calendar Quarter Number,Calendar Month Number,Calendar Day Number")
    expected = [d.isoformat() for d in business_days(dt.date(2018, 1, 1), END)]
    for df in (_cash(full), _debt(full)):
        dates = list(dict.fromkeys(df["Record Date"]))
        assert dates == expected[::-1]  # newest first
        day = pd.to_datetime(df["Record Date"])
        assert (df["Calendar Year"].astype(int) == day.dt.year).all()
        assert (df["Calendar Quarter Number"].astype(int) == day.dt.quarter).all()
        assert (df["Calendar Month Number"] == day.dt.strftime("%m")).all()
        assert (df["Calendar Day Number"] == day.dt.strftime("%d")).all()
        assert (df["Fiscal Year"].astype(int) == day.dt.year + (day.dt.month >= 10)).all()
        assert (df["Fiscal Quarter Number"].astype(int) == (day.dt.month + 2) % 12 // 3 + 1).all()


def test_tga_label_eras(full):
    cash = _cash(full)
    by_day = cash.groupby("Record Date")["Type of Account"].apply(list)
    sub = cash.groupby("Record Date")["Sub Table Name"].agg(set)
    for day, labels in by_day.items():
        if day <= "2021-09-30":
            assert labels == ["Federal Reserve Account", *OTHER_ACCOUNTS], day
        elif day <= "2022-04-15":
            assert labels == ["Treasury General Account (TGA)", *OTHER_ACCOUNTS], day
        else:
            assert day >= "2022-04-18" and labels == FOUR_ROWS, day
        assert sub[day] == ({"Cash Balance Details"} if day >= "2022-04-18" else {"Type of account"})
    assert {"2021-09-30", "2021-10-01", "2022-04-14", "2022-04-15", "2022-04-18"} <= set(by_day.index)
    others = cash[cash["Type of Account"].isin(OTHER_ACCOUNTS)]
    assert (others[["Opening Balance Today", "Opening Balance This Month",
                    "Opening Balance This Fiscal Year"]] == "0").all().all()
    assert (cash["Table Number"] == "I").all() and (cash["Table Name"] == "Operating Cash Balance").all()


# --- internal consistency -----------------------------------------------------------------------


def test_dts_opening_is_previous_close_across_eras(full):
    cash = _cash(full)
    for col in ("Opening Balance Today", "Opening Balance This Month", "Opening Balance This Fiscal Year"):
        cash[col] = cash[col].astype("int64")
    opening, closing = _tga_open_close(full)
    # four-row era: every close is the next business day's opening (including the first day)
    nxt = opening.shift(-1)
    both = closing.index[closing.index.isin(nxt.dropna().index)]
    assert len(both) > 1000 and (closing[both] == nxt[both]).all()
    # close = opening + deposits − withdrawals, today / month to date / fiscal year to date
    four = cash[cash["Record Date"] >= "2022-04-18"].set_index(["Record Date", "Type of Account"])
    for col in ("Opening Balance Today", "Opening Balance This Month", "Opening Balance This Fiscal Year"):
        v = four[col].unstack()
        assert (v[FOUR_ROWS[0]] + v[FOUR_ROWS[1]] - v[FOUR_ROWS[2]] == v[FOUR_ROWS[3]]).all(), col
    assert (four["Opening Balance Today"] >= 0).all()
    # "this month" / "this fiscal year" openings are the openings of the first business day of the
    # month / fiscal year (= the close before it), across the label eras
    tga = cash[cash["Type of Account"].isin(["Federal Reserve Account", "Treasury General Account (TGA)",
                                             FOUR_ROWS[0]])].set_index("Record Date").sort_index()
    day = pd.to_datetime(tga.index)
    month = day.to_period("M")
    first_of_month = tga["Opening Balance Today"].groupby(month).transform("first")
    complete = month != month[0]
    assert (tga["Opening Balance This Month"][complete] == first_of_month[complete]).all()
    fiscal_year = day.year + (day.month >= 10)
    first_of_fy = tga["Opening Balance Today"].groupby(fiscal_year).transform("first")
    complete = fiscal_year > 2018
    assert (tga["Opening Balance This Fiscal Year"][complete] == first_of_fy[complete]).all()
    for boundary in ("2021-10-01", "2022-04-01"):  # first day of an era = first day of a month
        assert tga.loc[boundary, "Opening Balance This Month"] == tga.loc[boundary, "Opening Balance Today"]
    assert tga.loc["2022-04-18", "Opening Balance This Month"] == tga.loc["2022-04-01", "Opening Balance Today"]
    assert tga.loc["2022-04-18", "Opening Balance This Fiscal Year"] == tga.loc["2021-10-01", "Opening Balance Today"]


def test_public_debt_rows_and_running_totals(full):
    debt = _debt(full)
    keys = ["Transaction Type", "Security Marketability", "Security Type", "Security Type Description"]
    per_day = debt.groupby("Record Date")[keys].apply(lambda g: [tuple(r) for r in g.to_numpy()])
    first = per_day.iloc[0]
    assert len(first) == 23 and all(rows == first for rows in per_day)
    assert ("Issues", "Marketable", "Bills", "Regular Series") in first
    assert ("Issues", "Marketable", "Bills", "Cash Management Series") in first
    assert ("Redemptions", "Marketable", "Bills", "null") in first
    assert (debt["Table Number"] == "IIIA").all() and (debt["Table Name"] == "Public Debt Transactions").all()
    assert (debt["Transactions Today"] >= 0).all()
    debt = debt.sort_values("Record Date", kind="stable")
    day = pd.to_datetime(debt["Record Date"])
    line = debt["Source Line Number"]
    month = day.dt.to_period("M")
    mtd = debt.groupby([line, month])["Transactions Today"].cumsum()
    complete = month != month.min()
    assert (mtd[complete] == debt["Transactions Month to Date"][complete]).all()
    fiscal_year = day.dt.year + (day.dt.month >= 10)
    fytd = debt.groupby([line, fiscal_year])["Transactions Today"].cumsum()
    complete = fiscal_year > 2018
    assert (fytd[complete] == debt["Transactions Fiscal Year to Date"][complete]).all()


def test_wtregen_is_the_week_average_of_the_dts_closes(full):
    """As the H.4.1 reports it: the mean over the week's seven calendar days (Thursday..Wednesday)
    of the DTS close, a weekend or holiday at the business day before (the real WTREGEN equals this
    mean of the real DTS closes to the $mn in every week of 2021-06..2023-12; the Wednesday's own
    close differs by 24 bn in the median week)."""
    opening, closing = _tga_open_close(full)
    # close of day d = next business day's opening (all eras), or the closing row when shown
    close = pd.Series(opening.shift(-1).to_numpy(), index=opening.index).dropna().astype("int64")
    close = pd.concat([close[~close.index.isin(closing.index)], closing]).sort_index()
    close.index = pd.to_datetime(close.index)
    days = pd.date_range(close.index.min(), close.index.max())
    every_day = close.reindex(days, method="ffill")
    wtregen = _fred(full, "WTREGEN")
    weeks = wtregen[wtregen.index >= close.index.min() + pd.Timedelta(days=6)]
    assert len(weeks) > 450
    for wednesday, text in weeks.items():
        mean = every_day[wednesday - pd.Timedelta(days=6):wednesday].mean()
        assert Decimal(text) * 1000 == round(mean), wednesday
    # a holiday Wednesday's week carries the Tuesday's close over the Wednesday
    christmas = pd.Timestamp("2019-12-25")
    assert every_day[christmas] == close[pd.Timestamp("2019-12-24")]
    assert Decimal(wtregen[christmas]) * 1000 == round(every_day[christmas - pd.Timedelta(days=6):christmas].mean())


def test_nyfed_accepted_equals_rrpontsyd(full):
    ops = _operations(full)
    fields = ["operationId", "auctionStatus", "operationDate", "settlementDate", "maturityDate",
              "operationType", "operationMethod", "settlementType", "termCalenderDays", "term",
              "releaseTime", "closeTime", "note", "lastUpdated", "participatingCpty", "acceptedCpty",
              "totalAmtSubmitted", "totalAmtAccepted", "details"]
    detail_fields = ["securityType", "amtSubmitted", "amtAccepted", "percentOfferingRate", "percentAwardRate"]
    regular = [op for op in ops if op["note"] == ""]
    small = [op for op in ops if op["note"] == "Small Value Exercise"]
    assert len(regular) + len(small) == len(ops)
    rrp = _fred(full, "RRPONTSYD").dropna()
    assert [op["operationDate"] for op in regular] == [d.strftime("%Y-%m-%d") for d in rrp.index[::-1]]
    bdays = business_days(dt.date(2018, 1, 1), END + dt.timedelta(days=7))
    next_bday = dict(zip(bdays, bdays[1:]))
    for op in ops:
        assert list(op) == fields and [list(d) for d in op["details"]] == [detail_fields]
        day = dt.date.fromisoformat(op["operationDate"])
        assert op["operationId"] == f"RP {day:%m%d%y} {1 if op['note'] == '' else 2}"
        assert (op["auctionStatus"], op["operationType"], op["operationMethod"], op["settlementType"],
                op["term"]) == ("Results", "Reverse Repo", "Fixed Rate", "Same Day", "Overnight")
        assert op["settlementDate"] == op["operationDate"]
        maturity = dt.date.fromisoformat(op["maturityDate"])
        assert maturity == next_bday[day] and op["termCalenderDays"] == (maturity - day).days
        detail = op["details"][0]
        assert detail["securityType"] == "Treasury" and detail["amtAccepted"] == op["totalAmtAccepted"]
        assert detail["percentAwardRate"] == detail["percentOfferingRate"]
        assert op["acceptedCpty"] <= op["participatingCpty"]
    for op in regular:
        expected = int(Decimal(rrp[pd.Timestamp(op["operationDate"])]) * 10**9)
        assert op["totalAmtAccepted"] == expected, op["operationDate"]
        assert (op["acceptedCpty"] == 0) == (expected == 0)
    assert len(small) >= 3 * 8
    assert all(1_000_000 <= op["totalAmtAccepted"] < 10_000_000 for op in small)
    assert {op["operationDate"] for op in small} <= {op["operationDate"] for op in regular}


def test_on_rrp_rate_sits_below_iorb(full):
    ops = {op["operationDate"]: op["details"][0]["percentAwardRate"] for op in _operations(full) if op["note"] == ""}
    policy = pd.concat([_fred_float(full, "IOER"), _fred_float(full, "IORB")]).dropna()
    gaps = pd.Series({pd.Timestamp(d): policy[pd.Timestamp(d)] - rate for d, rate in ops.items()})
    gaps = gaps.sort_index().round(2)
    assert gaps.between(0.05, 0.25).all()
    assert gaps["2022-06-01":"2024-11-01"].eq(0.10).all()


# --- the story ----------------------------------------------------------------------------------


def test_story_reverse_repo_and_fed_balance_sheet(full):
    rrp = _fred_float(full, "RRPONTSYD").dropna()
    assert rrp["2022"].max() > 2000
    assert rrp["2025-07":"2025-12"].mean() < 50
    assert rrp[:"2021-02"].max() < 60 and rrp["2021-12"].mean() > 1800
    assert rrp["2024-06"].mean() < 700 and rrp["2026"].max() < 200
    walcl = _fred_float(full, "WALCL")
    assert (walcl["2020-06"] > 6_500_000).all()
    assert walcl["2022-03":"2022-05"].max() > 8_800_000 and walcl["2025-12"].mean() < 6_700_000
    reserves = _fred_float(full, "WRESBAL")
    assert reserves["2019-09"].mean() < 1_600_000 and reserves["2021-12"].mean() > 3_900_000
    assert 2_600_000 < reserves["2026"].mean() < 3_100_000
    tga = _fred_float(full, "WTREGEN")
    assert tga["2020-07"].mean() > 1500 and tga["2025-07"].min() < 400 and tga["2025-10"].mean() > 800


def test_story_net_marketable_issuance(full):
    debt = _debt(full)
    marketable = debt[debt["Security Marketability"] == "Marketable"]
    sign = marketable["Transaction Type"].map({"Issues": 1, "Redemptions": -1})
    net = (marketable["Transactions Today"] * sign).groupby(pd.to_datetime(marketable["Record Date"])).sum() / 1000
    yearly = net.groupby(net.index.year).sum()
    for year, (lo, hi) in {2018: (1000, 1400), 2019: (1000, 1400), 2020: (4000, 4600), 2021: (1300, 1700),
                           2022: (1300, 1700), 2023: (1800, 2200), 2024: (1800, 2200), 2025: (1800, 2200)}.items():
        assert lo < yearly[year] < hi, (year, yearly[year])
    assert net["2020-04":"2020-06"].sum() > 0.5 * yearly[2020]
    bills = debt[(debt["Security Type"] == "Bills") & (debt["Transaction Type"] == "Issues")
                 & (debt["Security Type Description"] == "Regular Series")]
    weekly = bills.groupby(pd.to_datetime(bills["Record Date"]).dt.to_period("W"))["Transactions Today"].sum()
    assert weekly.median() > 200_000
    notes = debt[(debt["Security Type"] == "Notes") & (debt["Transaction Type"] == "Issues")
                 & (debt["Transactions Today"] > 0)]
    days = pd.to_datetime(notes["Record Date"])
    assert (days.dt.day.between(15, 18) | (days + pd.offsets.BMonthEnd(0) == days)
            | (days.dt.day >= 28)).all()


def test_story_rates_and_spreads(full):
    sofr = _fred_float(full, "SOFR").dropna()
    iorb = pd.concat([_fred_float(full, "IOER"), _fred_float(full, "IORB")]).dropna()
    spread = (sofr - iorb.reindex(sofr.index)).dropna().round(2)
    assert (spread[:"2024-12-31"] < 0).all()
    assert spread["2025":].between(0, 0.15).all() and spread["2026"].mean() > 0.05
    dgs10, dgs30 = _fred_float(full, "DGS10").dropna(), _fred_float(full, "DGS30").dropna()
    assert dgs10["2020"].mean() < 1.0 and dgs10["2026-10":].mean() > dgs10["2025-01":"2025-02"].mean() + 0.4
    assert dgs30["2026-10":].mean() > 5.4
    tp = _fred_float(full, "THREEFYTP10").dropna()
    assert tp["2020"].mean() < -0.3 and tp["2026-10":].mean() > 0.9
    ig, hy = _fred_float(full, "BAMLC0A0CM").dropna(), _fred_float(full, "BAMLH0A0HYM2").dropna()
    assert ig["2020-03"].max() > 3.0 and hy["2020-03"].max() > 7.5
    assert ig["2026-10":].mean() > ig["2025-01":"2025-02"].mean() + 0.5
    assert hy["2026-10":].mean() > hy["2025-01":"2025-02"].mean() + 1.5


def test_story_stress_composites_follow_the_scenario_stress(full):
    """The composites rise with the scenario's own stress (the HY spread), peak in March 2020 and sit
    below 0 in calm years, on the real indexes' scales (real NFCI 2007..2025: -0.80..3.05)."""
    hy = _fred_float(full, "BAMLH0A0HYM2").dropna()
    hy_friday = hy.resample("W-FRI").last()
    for series_id in COMPOSITES:
        composite = _fred_float(full, series_id)
        assert composite.between(-2.0, 3.0 if series_id != "STLFSI4" else 9.0).all(), series_id
        assert composite["2020-03"].max() > composite["2021"].max() + 0.1, series_id
        assert composite["2021"].mean() < 0, series_id
        assert composite.corr(hy_friday.reindex(composite.index)) > 0.5, series_id
    assert _fred_float(full, "STLFSI4").std() > 2 * _fred_float(full, "NFCI").std()
