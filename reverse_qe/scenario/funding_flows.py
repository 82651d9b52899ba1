"""SYNTHETIC funding-flows scenario, written in the sources' official formats (README, "The scenario is synthetic").

This module only composes the layers: the anchor tables (``anchors/funding_flows.py``) -> the world
model for a seed (``world/funding_flows.py``) -> one writer per file format (``writers/``).
Nothing here is real data. Every date's value depends only on the seed, never on ``end``, so a
later run only appends rows.

Files written under ``out_dir``:

- ``fred/<ID>.csv``: FRED graph CSV (``observation_date,<ID>``, LF, no BOM, empty = missing); the
  stress composites (``world/stress_composites.py``) dated on Fridays
- ``fiscal_data/dts_operating_cash_balance.csv``: DTS table I CSV export (UTF-8 with BOM)
- ``fiscal_data/dts_public_debt_transactions.csv``: DTS table IIIA CSV export (UTF-8 with BOM)
- ``nyfed/reverse_repo_operations.json``: NY Fed Markets API repo results (ON RRP)

Units follow each source: FRED WALCL/TREAST/WRESBAL in $mn, WTREGEN/RRPONTSYD in $bn, rates in
percent, the stress composites in index points; DTS in $mn; NY Fed in USD. Anchor tables are in $bn (money) or percent (rates).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reverse_qe.fred_series import fred_series

from .anchors.funding_flows import FIRST_DATE, HORIZON_END, HORIZON_START
from .world.funding_flows import funding_flows_world
from .world.stress_composites import stress_composites_world
from .writers.dts_csv import write_dts_operating_cash_balance, write_dts_public_debt_transactions
from .writers.fred_csv import write_fred_daily, write_fred_friday, write_fred_weekly
from .writers.nyfed_json import write_nyfed_reverse_repo

__all__ = ["generate_funding_flows", "FRED_SERIES", "HORIZON_START", "HORIZON_END"]

FRED_SERIES = tuple(fred_series())  # the scenario writes every series the pipeline reads


def generate_funding_flows(out_dir: Path, *, end: dt.date, seed: int = 20180101) -> list[Path]:
    """Write the SYNTHETIC funding-flows family up to ``end`` (inclusive); return the paths written.

    Deterministic for a given ``seed``; the value of any date never depends on ``end``.
    """
    if isinstance(end, dt.datetime):
        end = end.date()
    if not FIRST_DATE <= end <= HORIZON_END:
        raise ValueError(f"end must lie in {FIRST_DATE}..{HORIZON_END}, got {end}")
    out_dir = Path(out_dir)
    world = funding_flows_world(int(seed))
    composites = stress_composites_world(int(seed))
    paths = []
    for series_id in FRED_SERIES:
        if series_id in world.fred_weekly_mn:
            paths.append(write_fred_weekly(world, out_dir, series_id, end))
        elif series_id in composites.values:
            paths.append(write_fred_friday(world, composites, out_dir, series_id, end))
        else:
            paths.append(write_fred_daily(world, out_dir, series_id, end))
    paths.append(write_dts_operating_cash_balance(world, out_dir, end))
    paths.append(write_dts_public_debt_transactions(world, out_dir, end))
    paths.append(write_nyfed_reverse_repo(world, out_dir, end))
    return paths
