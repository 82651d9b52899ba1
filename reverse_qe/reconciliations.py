"""Reconciliations across sources and freshness per cadence: the maths, on plain DataFrames.

No Dagster and no DuckDB here (``assets/checks.py`` wires them as
asset checks), so every rule is tested on hand-written frames.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from reverse_qe.thresholds import (  # noqa: F401 (re-exported: the checks' tolerances)
    DTS_MSPD_TOLERANCE_BN,
    DTS_MSPD_TOLERANCE_SHARE,
    FRESHNESS_MAX_LAG_DAYS,
    TGA_MIN_DTS_DAYS_PER_WEEK,
    TGA_WTREGEN_TOLERANCE_BN,
)


def week_ending_wednesday(dates: pd.Series) -> pd.Series:
    """The Wednesday ending the Thursday..Wednesday week of each date."""
    dates = pd.to_datetime(dates)
    return dates + pd.to_timedelta((2 - dates.dt.weekday) % 7, unit="D")


def tga_vs_wtregen(tga_daily: pd.DataFrame, wtregen: pd.DataFrame,
                   tolerance_bn: float = TGA_WTREGEN_TOLERANCE_BN) -> pd.DataFrame:
    """Weeks where WTREGEN lies outside [min, max] of the DTS daily TGA closes by more than the tolerance.

    tga_daily: record_date, tga_close_bn; wtregen: observation_date (a Wednesday), value_bn.
    Returns every compared week with columns week_ending, wtregen_bn, dts_min_bn, dts_max_bn,
    dts_days, outside_bn (distance outside the range, 0 inside) and breach (bool).
    """
    daily = tga_daily.dropna(subset=["tga_close_bn"]).assign(
        week_ending=lambda f: week_ending_wednesday(f["record_date"]))
    weekly = daily.groupby("week_ending")["tga_close_bn"].agg(dts_min_bn="min", dts_max_bn="max", dts_days="count")
    fed = wtregen.dropna(subset=["value_bn"]).assign(week_ending=lambda f: pd.to_datetime(f["observation_date"]))
    joined = fed.set_index("week_ending")[["value_bn"]].rename(columns={"value_bn": "wtregen_bn"}).join(
        weekly, how="inner")
    joined = joined[joined["dts_days"] >= TGA_MIN_DTS_DAYS_PER_WEEK].astype(
        {"wtregen_bn": float, "dts_min_bn": float, "dts_max_bn": float})
    below = (joined["dts_min_bn"] - joined["wtregen_bn"]).clip(lower=0)
    above = (joined["wtregen_bn"] - joined["dts_max_bn"]).clip(lower=0)
    joined["outside_bn"] = np.maximum(below, above)
    joined["breach"] = joined["outside_bn"] > tolerance_bn
    return joined.reset_index()


def _last_in_week(frame: pd.DataFrame, date_column: str, value_column: str) -> pd.Series:
    data = frame.dropna(subset=[value_column]).assign(week_ending=lambda f: week_ending_wednesday(f[date_column]))
    return data.sort_values(date_column).groupby("week_ending")[value_column].last()


def bathtub_net_liquidity(fred: pd.DataFrame, tga_daily: pd.DataFrame) -> pd.Series:
    """Net liquidity ($bn) per week ending Wednesday = WALCL/1000 − TGA close − RRPONTSYD, each at
    its last value within the week: from the raw FRED rows and the daily TGA close of
    ``intermediate.int_treasury__tga_daily`` (the TGA label rule lives in dbt only), without the
    weekly alignment the mart uses."""
    fred = fred.assign(observation_date=pd.to_datetime(fred["observation_date"]))
    walcl = _last_in_week(fred[fred["series_id"] == "WALCL"], "observation_date", "value") / 1000
    rrp = _last_in_week(fred[fred["series_id"] == "RRPONTSYD"], "observation_date", "value")
    tga = tga_daily.assign(record_date=pd.to_datetime(tga_daily["record_date"]),
                           tga_close_bn=tga_daily["tga_close_bn"].astype(float))
    tga_weekly = _last_in_week(tga, "record_date", "tga_close_bn")
    return (walcl - tga_weekly.reindex(walcl.index) - rrp.reindex(walcl.index)).rename("net_liquidity_bn")


def bathtub_mismatches(mart: pd.DataFrame, recomputed: pd.Series, tolerance_bn: float = 1e-6) -> pd.DataFrame:
    """Weeks where the mart's net liquidity differs from the recomputation (or only one has a value)."""
    mart_values = mart.assign(week_ending=pd.to_datetime(mart["week_ending"])).set_index("week_ending")[
        "net_liquidity_bn"].astype(float)
    both = pd.DataFrame({"mart_bn": mart_values, "recomputed_bn": recomputed.astype(float)})
    both = both[both.index.isin(mart_values.index)]
    differs = (both["mart_bn"] - both["recomputed_bn"]).abs() > tolerance_bn
    one_missing = both["mart_bn"].isna() != both["recomputed_bn"].isna()
    return both[differs | one_missing].reset_index(names="week_ending")


def dts_net_marketable_issuance_monthly(transactions: pd.DataFrame) -> pd.Series:
    """DTS table IIIA: marketable issues − redemptions per calendar month ($bn), from raw $mn rows."""
    rows = transactions[transactions["security_marketability"] == "Marketable"]
    sign = np.where(rows["transaction_type"] == "Issues", 1.0, -1.0)
    month = pd.to_datetime(rows["record_date"]).dt.to_period("M")
    return (pd.Series(rows["transaction_today_amt"].to_numpy() * sign, index=month).groupby(level=0).sum()
            / 1000).rename("dts_net_issuance_bn")


def dts_vs_mspd(transactions: pd.DataFrame, mspd: pd.DataFrame,
                tolerance_bn: float = DTS_MSPD_TOLERANCE_BN,
                tolerance_share: float = DTS_MSPD_TOLERANCE_SHARE) -> pd.DataFrame:
    """Each month's DTS net marketable issuance against the change in MSPD marketable debt held by
    the public over that month. mspd: record_date (month end), marketable_held_by_public_bn.

    Returns months with both figures: month, dts_net_issuance_bn, mspd_change_bn, difference_bn,
    allowed_bn and breach.
    """
    issuance = dts_net_marketable_issuance_monthly(transactions)
    levels = mspd.assign(month=pd.to_datetime(mspd["record_date"]).dt.to_period("M")).set_index("month")[
        "marketable_held_by_public_bn"].astype(float).sort_index()
    change = levels.diff()
    ordinals = pd.Series(levels.index.asi8, index=levels.index)
    change = change[(ordinals.diff() == 1).to_numpy()]  # consecutive months only
    both = pd.DataFrame({"dts_net_issuance_bn": issuance, "mspd_change_bn": change}).dropna()
    both["difference_bn"] = both["dts_net_issuance_bn"] - both["mspd_change_bn"]
    both["allowed_bn"] = np.maximum(tolerance_bn, tolerance_share * both["dts_net_issuance_bn"].abs())
    both["breach"] = both["difference_bn"].abs() > both["allowed_bn"]
    return both.reset_index(names="month")


def stale_series(latest: pd.DataFrame, as_of: dt.date,
                 max_lag_days: dict[str, int] = FRESHNESS_MAX_LAG_DAYS) -> pd.DataFrame:
    """latest: series, latest_date, cadence. Returns the rows whose latest date trails ``as_of`` by
    more than the cadence allows (lag_days, allowed_days added); a series with no data is stale."""
    frame = latest.copy()
    frame["lag_days"] = (pd.Timestamp(as_of) - pd.to_datetime(frame["latest_date"])).dt.days
    frame["allowed_days"] = frame["cadence"].map(max_lag_days)
    stale = frame["lag_days"].isna() | (frame["lag_days"] > frame["allowed_days"])
    return frame[stale].reset_index(drop=True)


# A company files a 10-Q or 10-K every quarter: in the real companyfacts of Meta, Microsoft and
# Alphabet (2023..2026) consecutive filings are at most 99 days apart. A company whose newest fact
# trails the newest of the others by more than two quarters has stopped yielding rows although its
# document is still read (its facts moved out of us-gaap, e.g. to ifrs-full, or out of the tags read).
SILENT_COMPANY_LAG_DAYS = 200


def silent_companies(latest: pd.DataFrame, lag_days: int = SILENT_COMPANY_LAG_DAYS) -> pd.DataFrame:
    """latest: cik, entity_name, latest_filed, rows (per company in the raw table). Returns the
    companies whose newest filing trails the newest of all by more than ``lag_days`` (lag_days
    added): their documents used to yield rows and now yield none."""
    frame = latest.copy()
    filed = pd.to_datetime(frame["latest_filed"])
    frame["lag_days"] = (filed.max() - filed).dt.days
    return frame[frame["lag_days"] > lag_days].reset_index(drop=True)
