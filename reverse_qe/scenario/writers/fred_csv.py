"""Writes FRED graph CSVs (``fred/<ID>.csv``: ``observation_date,<ID>``, LF, no BOM, empty = missing).

Weekly H.4.1 series in $mn integers (WTREGEN in $bn with 3 decimals), RRPONTSYD in $bn with 3
decimals, rates in percent with 2 decimals (4 for THREEFYTP10); daily series list every weekday of
their period and leave US federal holidays empty, as FRED does; the stress composites list every
Friday (holidays included, as the real NFCI and STLFSI4 downloads do).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from ..anchors.funding_flows import FIRST_DATE, IORB_START, SOFR_START
from ..world.funding_flows import FundingFlowsWorld
from ..world.stress_composites import DECIMALS, DEFAULT_DECIMALS, StressComposites
from .common import write_file

__all__ = ["write_fred_daily", "write_fred_friday", "write_fred_weekly"]


def _fmt_thousandths(mn: int) -> str:
    """An integer count of thousandths as a decimal with 3 places ($mn -> "$bn.xxx"), exactly."""
    sign = "-" if mn < 0 else ""
    mn = abs(int(mn))
    return f"{sign}{mn // 1000}.{mn % 1000:03d}"


def _fmt_decimals(values: np.ndarray, places: int) -> list[str]:
    rounded = np.round(values, places) + 0.0  # + 0.0 turns -0.0 into 0.0
    return [f"{v:.{places}f}" for v in rounded]


def _write_fred_csv(path: Path, series_id: str, dates: list[str], values: list[str]) -> Path:
    lines = [f"observation_date,{series_id}\n"]
    lines.extend(f"{d},{v}\n" for d, v in zip(dates, values))
    return write_file(path, "".join(lines))


def write_fred_weekly(world: FundingFlowsWorld, out_dir: Path, series_id: str, end: dt.date) -> Path:
    """A weekly (Wednesday) FRED series: $mn integers, or $bn with 3 decimals for WTREGEN."""
    cal = world.cal
    values_mn = world.fred_weekly_mn[series_id]
    keep = cal.days[cal.wed] <= np.datetime64(end, "D")
    keep &= cal.days[cal.wed] >= np.datetime64(FIRST_DATE, "D")
    dates = [cal.iso[p] for p in cal.wed[keep]]
    fmt = _fmt_thousandths if series_id == "WTREGEN" else str
    values = [fmt(int(v)) for v in values_mn[keep]]
    return _write_fred_csv(out_dir / "fred" / f"{series_id}.csv", series_id, dates, values)


def write_fred_daily(world: FundingFlowsWorld, out_dir: Path, series_id: str, end: dt.date) -> Path:
    """A daily FRED series: every weekday of its period, empty on US federal holidays."""
    cal = world.cal
    start = {"SOFR": SOFR_START, "IORB": IORB_START}.get(series_id, FIRST_DATE)
    stop = min(end, IORB_START - dt.timedelta(days=1)) if series_id == "IOER" else end
    keep = (cal.days >= np.datetime64(start, "D")) & (cal.days <= np.datetime64(stop, "D"))
    if series_id == "RRPONTSYD":
        values = np.full(len(cal.days), "", dtype=object)
        values[cal.bd] = [_fmt_thousandths(v) for v in world.rrp_mn]
    else:
        places = 4 if series_id == "THREEFYTP10" else 2
        values = np.array(_fmt_decimals(world.fred_daily[series_id], places), dtype=object)
        values[~cal.is_bd] = ""
    pos = np.flatnonzero(keep)
    return _write_fred_csv(out_dir / "fred" / f"{series_id}.csv", series_id,
                           [cal.iso[p] for p in pos], list(values[pos]))


def write_fred_friday(world: FundingFlowsWorld, composites: StressComposites, out_dir: Path, series_id: str,
                      end: dt.date) -> Path:
    """A stress composite: every Friday of the period, dated on the Friday ending its week."""
    days = world.cal.days[composites.fridays]
    keep = (days >= np.datetime64(FIRST_DATE, "D")) & (days <= np.datetime64(end, "D"))
    places = DECIMALS.get(series_id, DEFAULT_DECIMALS)
    return _write_fred_csv(out_dir / "fred" / f"{series_id}.csv", series_id,
                           [world.cal.iso[p] for p in composites.fridays[keep]],
                           _fmt_decimals(composites.values[series_id][keep], places))
