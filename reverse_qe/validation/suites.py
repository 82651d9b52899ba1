"""Raw-layer expectation suites, kept as code: one generic suite per RawTable, one per source.

Pure declarations (no Great Expectations import here: GX takes seconds to import, and the code
location must load without it). :mod:`reverse_qe.validation.gx` turns an :class:`Expect`
into the GX expectation of the same class name and runs the custom :class:`BatchCheck` functions
(dates in order, gaps for the source's cadence, one TGA row a day) that GX lacks.

Every raw table gets :func:`generic_expectations` from its declaration (columns and types, key not
null and unique, no date after the run date) without writing anything; a family adds its own
through ``SOURCE_SUITES`` below or ``raw_asset(..., expectations=..., batch_checks=...)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from reverse_qe.fred_series import fred_series

from reverse_qe.warehouse import RawTable


@dataclass(frozen=True)
class Expect:
    """One GX 1.x expectation by class name and arguments, with what a failure means in words."""

    kind: str
    kwargs: Mapping[str, Any]
    note: str

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")


@dataclass(frozen=True)
class Finding:
    """A failed custom check: what is wrong and which rows (positional index into the batch)."""

    check: str
    message: str
    rows: tuple[int, ...]


BatchCheckFn = Callable[[pd.DataFrame], list[Finding]]


@dataclass(frozen=True)
class BatchCheck:
    """A check GX lacks. ``severity`` "error" rejects the batch; "warn" writes it and reports."""

    name: str
    run: BatchCheckFn
    severity: str = "error"


@dataclass(frozen=True)
class RawSuite:
    """All the checks one raw batch must pass before it is written."""

    table: str
    source: str
    expectations: tuple[Expect, ...]
    batch_checks: tuple[BatchCheck, ...] = field(default=())



# Column types are checked with pandas' own dtype tests, beside GX: GX 1.x's type-list expectation
# fails pandas' nullable Int64 and categoricals (it reports 'int64' / 'CategoricalDtypeType' and
# still fails), and the 13F parser uses categoricals to stay within memory at 3M rows.
def _is_varchar(series: pd.Series) -> bool:
    return (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)
            or isinstance(series.dtype, pd.CategoricalDtype))


def _is_integer(series: pd.Series) -> bool:
    """An integer dtype, or floats whose values are all whole numbers (missing values read as NaN)."""
    if pd.api.types.is_integer_dtype(series):
        return True
    if pd.api.types.is_float_dtype(series):
        values = series.dropna()
        return bool((values == values.round()).all())
    return False


TYPE_TESTS: dict[str, Callable[[pd.Series], bool]] = {
    "date": pd.api.types.is_datetime64_any_dtype,
    "timestamp": pd.api.types.is_datetime64_any_dtype,
    "double": lambda s: pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s),
    "integer": _is_integer,
    "bigint": _is_integer,
    "boolean": pd.api.types.is_bool_dtype,
    "varchar": _is_varchar,
}


def column_types(table: RawTable) -> BatchCheck:
    """Every declared column holds values of its declared type."""
    tests = {c: TYPE_TESTS.get(t.lower().split("(")[0]) for c, t in table.columns.items()}

    def run(frame: pd.DataFrame) -> list[Finding]:
        return [
            Finding("column_types", f"column {c!r} must hold {table.columns[c]} values; found {frame[c].dtype}", ())
            for c, test in tests.items()
            if test is not None and c in frame and len(frame) and not test(frame[c])
        ]

    return BatchCheck("column_types", run)


def generic_expectations(table: RawTable, *, date_column: str | None, as_of: dt.date) -> list[Expect]:
    """What every raw table must satisfy, read from its declaration alone."""
    name = f"{table.schema}.{table.name}"
    out = [Expect("ExpectTableColumnsToMatchSet", {"column_set": list(table.columns), "exact_match": False},
                  f"{name} needs the columns {', '.join(table.columns)}")]
    for column in table.key:
        out.append(Expect("ExpectColumnValuesToNotBeNull", {"column": column},
                          f"key column {column!r} must have a value in every row"))
    if len(table.key) == 1:
        out.append(Expect("ExpectColumnValuesToBeUnique", {"column": table.key[0]},
                          f"the key ({table.key[0]}) must identify one row of the batch"))
    else:
        out.append(Expect("ExpectCompoundColumnsToBeUnique", {"column_list": list(table.key)},
                          f"the key ({', '.join(table.key)}) must identify one row of the batch"))
    if date_column:  # tables without a date of their own (13F information table) skip this one
        out.append(Expect("ExpectColumnValuesToBeBetween",
                          {"column": date_column, "max_value": dt.datetime.combine(as_of, dt.time())},
                          f"{date_column} must not be after the run date {as_of} (a date in the future)"))
    return out


# ---------------------------------------------------------------------------------------------
# Custom checks beside GX: order and cadence within each document.
# ---------------------------------------------------------------------------------------------

def dates_in_order(date_column: str, within: Sequence[str] = ("source_uri",)) -> BatchCheck:
    """Within each document (and series), dates run one way: all ascending or all descending.

    Sources publish sorted files (FRED ascending, Fiscal Data exports descending); a document that
    goes both ways was spliced or corrupted.
    """
    def run(frame: pd.DataFrame) -> list[Finding]:
        findings = []
        for keys, group in frame.groupby(list(within), sort=False):
            step = group[date_column].diff().dt.days.iloc[1:]
            if (step < 0).any() and (step > 0).any():
                minority = step < 0 if (step < 0).sum() <= (step > 0).sum() else step > 0
                first = int(frame.index.get_loc(minority[minority].index[0]))
                findings.append(Finding(
                    "dates_in_order",
                    f"{date_column} goes backwards and forwards within the document "
                    f"(first turn at {frame[date_column].iat[first].date()}); a published file is sorted one way",
                    (first,)))
        return findings
    return BatchCheck(f"dates_in_order({date_column})", run)


def max_gap(date_column: str, max_days: int, *, within: Sequence[str] = ("source_uri",),
            where: Callable[[pd.DataFrame], pd.Series] | None = None, cadence: str = "") -> BatchCheck:
    """No two consecutive dates of a document (and series) lie more than ``max_days`` apart."""
    def run(frame: pd.DataFrame) -> list[Finding]:
        subset = frame[where(frame)] if where is not None else frame
        findings = []
        for keys, group in subset.groupby(list(within), sort=False):
            dates = group[date_column].drop_duplicates().sort_values()
            gaps = dates.diff().dt.days
            bad = gaps[gaps > max_days]
            if len(bad):
                at = bad.index[0]
                before = dates[dates < dates[at]].iloc[-1]
                label = f" {keys[1]}" if isinstance(keys, tuple) and len(keys) > 1 else ""
                findings.append(Finding(
                    "max_gap",
                    f"{cadence or 'the'}{label} data jumps from {before.date()} to {dates[at].date()} "
                    f"({int(bad.iloc[0])} days; at most {max_days} expected): rows are missing",
                    (int(frame.index.get_loc(at)),)))
        return findings
    # A warning: a replay file may hold excerpts of several periods, and a late publication is
    # better written than lost; the check shows it and freshness catches a stale source.
    return BatchCheck(f"max_gap({date_column}, {max_days}d)", run, severity="warn")


# ---------------------------------------------------------------------------------------------
# Source suites: value ranges by series, labels, one TGA row a day.
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Era:
    """A tighter range for the rows of one series dated from ``start`` (inclusive) to ``end``
    (exclusive), ISO dates; None leaves that side open."""

    start: str | None
    end: str | None
    low: float | None
    high: float | None
    why: str


@dataclass(frozen=True)
class SeriesBounds:
    """Sane bounds of one FRED series in the unit the pipeline stores, and how far one weekly value
    may step from the one before (``max_step``, a factor; None: not checked). Its unit and cadence
    are the seed's (``reverse_qe.fred_series``)."""

    low: float
    high: float
    eras: tuple[Era, ...] = ()
    max_step: float | None = None


# Wide enough for every real value and any plausible future, narrow enough that a unit change (a $mn
# series suddenly in $bn, or a rate in basis points) or a sign error fails. Each comment names the
# real minimum and maximum that set the rule: real FRED downloads (README of the real-data corpus,
# tests/real) of the vintages noted; "bn vintage" = an older download in billions.
FRED_SERIES_BOUNDS: dict[str, SeriesBounds] = {
    # real 2002-12..2026-07: min 712,809 (2003-01-29), max 8,965,487 (2022-04-13); weekly step at
    # most x1.241 (2008-10-01). A $bn download (<= ~9,000) fails the floor; x2 in a week is a unit slip.
    "WALCL": SeriesBounds(500_000, 20_000_000, max_step=2.0),
    # real weekly 2002-12..2026-06: min 474,619 (2009-03-04), max 5,771,393 (2022-06-08); weekly
    # step at most x1.128 (2020-03-25).
    "TREAST": SeriesBounds(100_000, 15_000_000, max_step=2.0),
    # Stored in $bn (dbt seed fred_series). FRED now publishes WTREGEN in $mn (real 2007-01..2025-11:
    # 3,861 on 2008-02-20 .. 1,816,687 on 2020-07-29); the FRED parser converts that vintage to $bn.
    # Real steps reach x5.232 (2011-12-21) and x0.316 (2008-11-05): the TGA swings; a x1000 unit
    # mix-up or a lost digit (x10) does not pass x8.
    "WTREGEN": SeriesBounds(0, 3_000, max_step=8.0, eras=(
        Era(None, "2008-09-01", None, 100,
            "before 2008-09 the TGA week average stayed below 100 $bn (real max 14.887 on 2007-05-02): "
            "a larger value is a $mn figure read as $bn"),)),
    # $bn, as FRED publishes it: real 2003-02..2026-07: min 0.0 (2019-11-25), max 2,553.716
    # (2022-12-30); a $mn download (2,553,716) fails the ceiling, a sign error the floor.
    "RRPONTSYD": SeriesBounds(0, 5_000),
    # $mn, as FRED publishes it now: real 2002-12..2026-08: min 2,795 (2006-03-08), max 4,275,806
    # (2021-12-08). Older downloads ("DATE,WRESBAL" header) are in $bn: 2.795 .. 847.821 before 2009,
    # 603.078 .. 4,275.806 after; the two era floors catch every one of those rows (a $bn file is
    # refused, never read as $mn). Real steps reach x5.426 (2006-03-15) and x0.219 (2006-03-08),
    # when reserves were ~$10bn and swung with the maintenance period; since 2009 at most x1.24.
    "WRESBAL": SeriesBounds(1_000, 10_000_000, max_step=8.0, eras=(
        Era("2009-01-01", None, 100_000, None,
            "from 2009 reserves never fell below 600,000 $mn (real min 603,078 on 2009-02-11): a smaller "
            "value is the $bn of an older FRED download (e.g. 877.82); download the series again"),)),
    # percent: real DGS2 2007..2025 0.09..5.19; DGS10 0.52..5.26; DGS30 1977..2026 0.99..15.21 (1981).
    "DGS2": SeriesBounds(-2, 25),
    "DGS10": SeriesBounds(-2, 25),
    "DGS30": SeriesBounds(-2, 25),
    "THREEFYTP10": SeriesBounds(-5, 10),  # no real download in the corpus: not calibrated
    # percent: real 1999-01..2025-09 min 0.73, max 6.56 (2008-12); basis points (73..656) fail.
    "BAMLC0A0CM": SeriesBounds(0, 15),
    # percent: real 2007-01..2026-07 min 2.41, max 21.82 (2008-12); basis points (241..2182) fail.
    "BAMLH0A0HYM2": SeriesBounds(0, 30),
    # percent: real 2018-04..2026-07 min 0.01, max 5.40 (incl. the 5.25 of 2019-09-17).
    "SOFR": SeriesBounds(-2, 25),
    # percent: real 2021-07-29..2026-08 min 0.15, max 5.40; published every calendar day.
    "IORB": SeriesBounds(-2, 25),
    # percent: real (Fed Board DDP) 2008-10-09..2021-07-28 min 0.10, max 2.40; ended 2021-07-28.
    "IOER": SeriesBounds(-2, 25),
    # Stress composites: indexes, 0 = average stress, in (roughly) standard deviations. A real reading
    # never goes far below average (calm markets compress little) and spikes upward in crises.
    # STLFSI4 real 1993-12-31..2026-02-06 (1,676 Fridays): min -1.1331 (2007-02-23), max 9.6351
    # (2008-10-10), 2020-03-20 5.6485. -5..25 gives the 2008 peak 2.5x headroom; a value in hundredths
    # or a lost decimal point (96.351) fails.
    "STLFSI4": SeriesBounds(-5, 25),
    # NFCI real 2007-01-05..2025-11-07 (984 Fridays): min -0.79786 (2014-06-13), max 3.05018
    # (2008-11-28), 2020-04-03 0.31654. The Chicago Fed scales it to average 0 and standard deviation
    # 1 over its history since 1971; -5..10 is 3x the 2008 peak.
    "NFCI": SeriesBounds(-5, 10),
    # NFCIRISK, NFCICREDIT, NFCILEVERAGE and ANFCI: no real download in the corpus. The range is
    # NFCI's, set from NFCI's real file above and the published definition: the Chicago Fed builds
    # the subindexes and the adjusted index on the same scale (standard deviations from an average
    # of 0 since 1971), so a reading beyond -5..10 is a corrupt value, not a market.
    "NFCIRISK": SeriesBounds(-5, 10),
    "NFCICREDIT": SeriesBounds(-5, 10),
    "NFCILEVERAGE": SeriesBounds(-5, 10),
    "ANFCI": SeriesBounds(-5, 10),
}
# Calendar days two consecutive rows of a FRED file may lie apart. FRED lists every weekday of a
# daily series (holidays as an empty value; real max gap 3 days, Friday..Monday, in every daily
# download of the corpus; IORB lists weekends too), so 5 leaves room; weekly series come every
# Wednesday (real max gap 7); the stress composites every Friday (real NFCI and STLFSI4: 7, no gap).
FRED_MAX_GAP_DAYS = {"daily": 5, "weekly": 7, "weekly_friday": 7}
# FRED dates a weekly H.4.1 series (WALCL, TREAST, WTREGEN, WRESBAL) on the Wednesday its week ends:
# every row of every real weekly download is a Wednesday. A file of other dates is FRED's graph
# aggregated to another frequency (real: TREAST averaged by quarter, dated 2003-01-01, 2003-04-01,
# ...), whose values are not the series' weekly levels. The stress composites end their week on a
# Friday: every row of the real NFCI (984) and STLFSI4 (1,676) downloads is a Friday.
FRED_WEEKLY_WEEKDAY = {"weekly": 2, "weekly_friday": 4}  # Monday = 0

TGA_LABELS = ("Federal Reserve Account", "Treasury General Account (TGA)",
              "Treasury General Account (TGA) Opening Balance")
# Calendar days between two DTS dates of one document: a long weekend is 4 (real max in the
# 2021-06..2023-12 exports: 4); shutdowns still publish.
DTS_MAX_GAP_DAYS = 7
# $mn. The TGA has never exceeded ~1.9T (real 2021-06..2023-12 export: open_today_bal max 975,018,
# every balance >= 0, min 0 on the Supplementary Financing Program and Short-Term Cash rows).
DTS_MAX_BALANCE_MN = 5_000_000
# $mn, table IIIA. Real 2021-06..2023-12 export (15,148 rows): transaction_today_amt max 1,149,148
# (a day's bill issues), month to date max 13,621,735, fiscal year to date max 131,868,330.
DTS_MAX_DAILY_TRANSACTION_MN = 2_000_000
DTS_MAX_MTD_TRANSACTION_MN = 40_000_000
DTS_MAX_FYTD_TRANSACTION_MN = 400_000_000
# Issues rows may be negative: the publisher prints adjustments there. Real 2021-06..2023-12 export:
# 446 "Issues" rows negative today (min -812 $mn, TIPS "Inflation-Protected Securities Increment",
# negative when CPI falls; bills down to -29, notes -22, bonds -10), 331 month to date (min -5,549,
# TIPS increment), 52 fiscal year to date (min -660); the 2026 excerpt: Bills Regular Series -4 and
# -14 on 2026-06-22. Redemptions are never negative (0 of 6,626 real rows). A sign error on a real
# issue (bills issue 10,000s to 1,000,000s $mn a day) falls far below these floors.
DTS_MIN_ISSUES_TODAY_MN = -10_000
DTS_MIN_ISSUES_CUMULATIVE_MN = -50_000
# USD: the ON RRP peaked at 2.55T accepted in one operation (FRED RRPONTSYD max 2,553.716 $bn on
# 2022-12-30); no real NY Fed operations file in the corpus.
NYFED_MAX_AMOUNT_USD = 5e12


def _fred_step_check(frame: pd.DataFrame) -> list[Finding]:
    """Weekly money series: consecutive values within the series' ``max_step`` factor of each other."""
    findings = []
    steps = {s: b.max_step for s, b in FRED_SERIES_BOUNDS.items() if b.max_step is not None}
    for series_id, group in frame[frame["series_id"].isin(steps)].groupby("series_id", sort=False):
        ordered = group.sort_values("observation_date").dropna(subset=["value"])
        values = ordered["value"]
        limit = steps[series_id]
        ratio = values / values.shift(1)
        # Only steps of one week: across a gap (a replay file of excerpts) the bounds and eras still hold.
        one_week = ordered["observation_date"].diff().dt.days <= FRED_MAX_GAP_DAYS["weekly"]
        bad = ratio[one_week & ((ratio > limit) | (ratio < 1 / limit))]
        if len(bad):
            at = bad.index[0]
            unit = fred_series()[series_id].unit.removeprefix("usd_")
            findings.append(Finding(
                "unit_jump",
                f"{series_id} jumps from {values.shift(1)[at]:,.0f} to {values[at]:,.0f} in one step "
                f"(x{ratio[at]:.3g}, more than x{limit:g}): a change of unit (stored in ${unit}), "
                "not a market move",
                (int(frame.index.get_loc(at)),)))
    return findings


def _fred_weekly_on_their_weekday(frame: pd.DataFrame) -> list[Finding]:
    """Weekly series are dated on the weekday their week ends (see FRED_WEEKLY_WEEKDAY)."""
    weekday = {s: FRED_WEEKLY_WEEKDAY[fred_series()[s].cadence] for s in FRED_SERIES_BOUNDS
               if fred_series()[s].cadence in FRED_WEEKLY_WEEKDAY}
    expected = frame["series_id"].map(weekday)
    rows = expected.notna() & (frame["observation_date"].dt.dayofweek != expected)
    if not rows.any():
        return []
    bad = frame.index[rows.to_numpy()]
    first = frame.loc[bad[0]]
    day = pd.Timestamp(2024, 1, 1 + int(weekday[first["series_id"]])).strftime("%A")  # 2024-01-01 is a Monday
    return [Finding("weekly_on_wednesday",
                    f"{first['series_id']} is a weekly series dated on {day}s, found "
                    f"{first['observation_date'].date()} ({first['observation_date']:%A}) and {len(bad) - 1} more: "
                    "a FRED download aggregated to another frequency (fq=...) holds averages, not the weekly levels",
                    tuple(int(frame.index.get_loc(i)) for i in bad))]


def _dts_tga_row_each_day(frame: pd.DataFrame) -> list[Finding]:
    """Every DTS date of table I carries the TGA's opening-balance row (under one of its labels)."""
    has_tga = frame["account_type"].isin(TGA_LABELS).groupby(frame["record_date"]).transform("any")
    missing = frame.index[~has_tga]
    if not len(missing):
        return []
    days = sorted({d.date().isoformat() for d in frame.loc[missing, "record_date"]})
    return [Finding("tga_row_each_day",
                    f"no TGA opening-balance row (labels {', '.join(TGA_LABELS)}) on "
                    f"{len(days)} day(s): {', '.join(days[:5])}{' ...' if len(days) > 5 else ''}",
                    tuple(int(i) for i in missing))]


def _shown(bound: float | None, open_end: str) -> str:
    return open_end if bound is None else f"{bound:,.0f}"


def _era_condition(series_id: str, era: Era) -> str:
    parts = [f'series_id=="{series_id}"']
    if era.start:
        parts.append(f'observation_date>="{era.start}"')
    if era.end:
        parts.append(f'observation_date<"{era.end}"')
    return " and ".join(parts)


def fred_suite() -> RawSuite:
    expectations = [Expect("ExpectColumnValuesToBeInSet",
                           {"column": "series_id", "value_set": list(FRED_SERIES_BOUNDS)},
                           "series_id must be one of the FRED series this project reads")]
    for series_id, b in FRED_SERIES_BOUNDS.items():
        expectations.append(Expect(
            "ExpectColumnValuesToBeBetween",
            {"column": "value", "min_value": b.low, "max_value": b.high,
             "row_condition": f'series_id=="{series_id}"', "condition_parser": "pandas"},
            f"{series_id} ({fred_series()[series_id].unit}) must lie within {b.low:,.0f}..{b.high:,.0f}; outside it means a "
            "changed unit, a sign error or a corrupt value"))
        for era in b.eras:
            bounds = {k: v for k, v in (("min_value", era.low), ("max_value", era.high)) if v is not None}
            span = (f"from {era.start}" if era.start else "") + (f" before {era.end}" if era.end else "")
            expectations.append(Expect(
                "ExpectColumnValuesToBeBetween",
                {"column": "value", **bounds, "row_condition": _era_condition(series_id, era),
                 "condition_parser": "pandas"},
                f"{series_id} ({fred_series()[series_id].unit}) {span.strip()} must lie within "
                f"{_shown(era.low, '-inf')}..{_shown(era.high, 'inf')}: {era.why}"))
    checks = [dates_in_order("observation_date", within=("source_uri", "series_id")),
              BatchCheck("weekly_on_wednesday", _fred_weekly_on_their_weekday)]
    for cadence, days in FRED_MAX_GAP_DAYS.items():
        ids = [s for s in FRED_SERIES_BOUNDS if fred_series()[s].cadence == cadence]
        checks.append(max_gap("observation_date", days, within=("source_uri", "series_id"),
                              where=lambda f, ids=ids: f["series_id"].isin(ids), cadence=cadence))
    checks.append(BatchCheck("unit_jump(weekly money series)", _fred_step_check))
    return RawSuite("fred_observations", "fred", tuple(expectations), tuple(checks))


def dts_operating_cash_balance_suite() -> RawSuite:
    balances = ("open_today_bal", "open_month_bal", "open_fiscal_year_bal", "close_today_bal")
    # Real 2021-06..2023-12 export (2,323 rows) and 2026-09 API page: no balance below 0 (min 0).
    expectations = [
        Expect("ExpectColumnValuesToBeBetween", {"column": c, "min_value": 0},
               f"{c} ($mn) must not be negative: a balance or a cumulative flow below zero is an error")
        for c in balances
    ]
    expectations.append(Expect(
        "ExpectColumnValuesToBeBetween", {"column": "open_today_bal", "max_value": DTS_MAX_BALANCE_MN},
        f"open_today_bal is in $mn and stays below {DTS_MAX_BALANCE_MN:,}; above it means a changed unit"))
    checks = (dates_in_order("record_date"), max_gap("record_date", DTS_MAX_GAP_DAYS, cadence="daily"),
              BatchCheck("tga_row_each_day", _dts_tga_row_each_day))
    return RawSuite("dts_operating_cash_balance", "fiscal_data", tuple(expectations), checks)


def dts_public_debt_transactions_suite() -> RawSuite:
    issues = {"row_condition": 'transaction_type=="Issues"', "condition_parser": "pandas"}
    redemptions = {"row_condition": 'transaction_type=="Redemptions"', "condition_parser": "pandas"}
    expectations = [
        Expect("ExpectColumnValuesToBeInSet", {"column": "transaction_type", "value_set": ["Issues", "Redemptions"]},
               "transaction_type must be Issues or Redemptions"),
        Expect("ExpectColumnValuesToBeBetween",
               {"column": "transaction_today_amt", "max_value": DTS_MAX_DAILY_TRANSACTION_MN},
               f"transaction_today_amt ($mn) must stay below {DTS_MAX_DAILY_TRANSACTION_MN:,}: above it means "
               "a changed unit"),
        Expect("ExpectColumnValuesToBeBetween",
               {"column": "transaction_mtd_amt", "max_value": DTS_MAX_MTD_TRANSACTION_MN},
               f"transaction_mtd_amt ($mn) must stay below {DTS_MAX_MTD_TRANSACTION_MN:,}: above it means "
               "a changed unit"),
        Expect("ExpectColumnValuesToBeBetween",
               {"column": "transaction_fytd_amt", "max_value": DTS_MAX_FYTD_TRANSACTION_MN},
               f"transaction_fytd_amt ($mn) must stay below {DTS_MAX_FYTD_TRANSACTION_MN:,}: above it means "
               "a changed unit"),
        Expect("ExpectColumnValuesToBeBetween",
               {"column": "transaction_today_amt", "min_value": DTS_MIN_ISSUES_TODAY_MN, **issues},
               f"transaction_today_amt ($mn) of an Issues row must be at least {DTS_MIN_ISSUES_TODAY_MN:,}: "
               "the publisher's negative adjustments are small; a large negative issue is a sign error"),
    ]
    for column in ("transaction_mtd_amt", "transaction_fytd_amt"):
        expectations.append(Expect(
            "ExpectColumnValuesToBeBetween",
            {"column": column, "min_value": DTS_MIN_ISSUES_CUMULATIVE_MN, **issues},
            f"{column} ($mn) of an Issues row must be at least {DTS_MIN_ISSUES_CUMULATIVE_MN:,}: "
            "cumulative adjustments stay small; a large negative total is a sign error"))
    for column in ("transaction_today_amt", "transaction_mtd_amt", "transaction_fytd_amt"):
        expectations.append(Expect(
            "ExpectColumnValuesToBeBetween", {"column": column, "min_value": 0, **redemptions},
            f"{column} ($mn) of a Redemptions row must not be negative (a sign error)"))
    checks = (dates_in_order("record_date"), max_gap("record_date", DTS_MAX_GAP_DAYS, cadence="daily"))
    return RawSuite("dts_public_debt_transactions", "fiscal_data", tuple(expectations), checks)


def nyfed_reverse_repo_suite() -> RawSuite:
    expectations = [
        Expect("ExpectColumnValuesToBeInSet", {"column": "operation_type", "value_set": ["Reverse Repo"]},
               "operation_type must be 'Reverse Repo' (repo operations belong elsewhere)"),
        Expect("ExpectColumnValuesToBeBetween",
               {"column": "total_amt_accepted", "min_value": 0, "max_value": NYFED_MAX_AMOUNT_USD},
               f"total_amt_accepted (USD) must lie within 0..{NYFED_MAX_AMOUNT_USD:,.0f}"),
        Expect("ExpectColumnValuesToBeBetween",
               {"column": "total_amt_submitted", "min_value": 0, "max_value": NYFED_MAX_AMOUNT_USD},
               f"total_amt_submitted (USD) must lie within 0..{NYFED_MAX_AMOUNT_USD:,.0f}"),
        Expect("ExpectColumnValuesToBeBetween", {"column": "award_rate_pct", "min_value": -2, "max_value": 25},
               "award_rate_pct must lie within -2..25 percent"),
        Expect("ExpectColumnPairValuesAToBeGreaterThanB",
               {"column_A": "maturity_date", "column_B": "operation_date", "or_equal": True,
                "ignore_row_if": "either_value_is_missing"},
               "maturity_date must not be before operation_date"),
    ]
    return RawSuite("nyfed_reverse_repo_operations", "nyfed", tuple(expectations),
                    (dates_in_order("operation_date"),))


def _between(column: str, low: float | None, high: float | None, why: str) -> Expect:
    bounds = {k: v for k, v in (("min_value", low), ("max_value", high)) if v is not None}
    return Expect("ExpectColumnValuesToBeBetween", {"column": column, **bounds}, f"{column} {why}")


def treasury_auctions_suite() -> RawSuite:
    return RawSuite("treasury_auctions", "fiscal_data", (
        _between("offering_amt", 0, 1e12, "(USD) lies within 0..1 trillion: a negative or larger amount is corrupt"),
        _between("bid_to_cover_ratio", 0, 20, "lies within 0..20"),
        _between("high_yield_pct", -2, 25, "(percent) lies within -2..25: outside it means basis points or a corrupt value"),
    ))


def mspd_debt_outstanding_suite() -> RawSuite:
    return RawSuite("mspd_debt_outstanding", "fiscal_data", tuple(
        _between(c, 0, 1e8, "($mn) lies within 0..100 trillion dollars: outside it means a changed unit")
        for c in ("debt_held_public_mil_amt", "intragov_hold_mil_amt", "total_mil_amt")
    ))


def sec_companyfacts_suite() -> RawSuite:
    return RawSuite("sec_companyfacts", "sec", (
        _between("value_usd", -1e12, 1e12, "(USD) of one cash-flow fact lies within +/-1 trillion"),
    ))


def sec13f_infotable_suite() -> RawSuite:
    return RawSuite("sec13f_infotable", "sec_13f", (
        _between("value", 0, None, "(a position's market value) is not negative"),
        _between("sshprnamt", 0, None, "(shares or principal) is not negative"),
    ))


def sec13f_securities_list_suite() -> RawSuite:
    # CUSIPs are 9 letters or digits: the 13F data sets' INFOTABLE.tsv, the real Bard 2021Q3 table
    # (278 lines) and the SEC's list all write them so; the parser joins the PDF's '037833 10 0'.
    return RawSuite("sec13f_securities_list", "sec_13f_list", (
        Expect("ExpectColumnValuesToMatchRegex", {"column": "cusip", "regex": r"^[0-9A-Z]{9}$"},
               "cusip is 9 letters or digits"),
        Expect("ExpectColumnValuesToBeInSet", {"column": "status", "value_set": ["ADDED", "DELETED"]},
               "status is ADDED, DELETED or empty (the list's *A* / *D* marks)"),
    ))


def openfigi_mappings_suite() -> RawSuite:
    return RawSuite("openfigi_mappings", "openfigi", (
        Expect("ExpectColumnValuesToBeInSet", {"column": "status", "value_set": ["found", "not_found"]},
               "status is found (a listing) or not_found (OpenFIGI's 'No identifier found.')"),
        Expect("ExpectColumnValuesToMatchRegex", {"column": "cusip", "regex": r"^[0-9A-Z]{9}$"},
               "cusip is 9 letters or digits, as asked"),
    ))


def daily_prices_suite(table: str, source: str) -> Callable[[], RawSuite]:
    def suite() -> RawSuite:
        return RawSuite(table, source, (
            _between("close", 0, None, "is a price: not negative"),
            _between("volume", 0, None, "is not negative"),
            Expect("ExpectColumnPairValuesAToBeGreaterThanB",
                   {"column_A": "high", "column_B": "low", "or_equal": True}, "high is at least low every day"),
        ))
    return suite


SOURCE_SUITES: dict[str, Callable[[], RawSuite]] = {
    "treasury_auctions": treasury_auctions_suite,
    "mspd_debt_outstanding": mspd_debt_outstanding_suite,
    "sec_companyfacts": sec_companyfacts_suite,
    "sec13f_infotable": sec13f_infotable_suite,
    "sec13f_securities_list": sec13f_securities_list_suite,
    "openfigi_mappings": openfigi_mappings_suite,
    "stooq_daily_prices": daily_prices_suite("stooq_daily_prices", "stooq"),
    "coinbase_daily_candles": daily_prices_suite("coinbase_daily_candles", "coinbase"),
    "fred_observations": fred_suite,
    "dts_operating_cash_balance": dts_operating_cash_balance_suite,
    "dts_public_debt_transactions": dts_public_debt_transactions_suite,
    "nyfed_reverse_repo_operations": nyfed_reverse_repo_suite,
}


def raw_suite_for(table: RawTable, *, date_column: str | None, as_of: dt.date,
                  expectations: Sequence[Expect] = (), batch_checks: Sequence[BatchCheck] = ()) -> RawSuite:
    """The generic suite of ``table``, plus its source suite if one is registered, plus extras."""
    specific = SOURCE_SUITES.get(table.name)
    base = specific() if specific is not None else RawSuite(table.name, table.name.split("_")[0], ())
    generic = generic_expectations(table, date_column=date_column, as_of=as_of)
    return RawSuite(table.name, base.source, (*generic, *base.expectations, *expectations),
                    (column_types(table), *base.batch_checks, *batch_checks))
