"""Writes the whole bundled scenario into a replay-style directory, once per (version, end, scale).

Everything it writes is SYNTHETIC: the directory carries a ``SYNTHETIC_SCENARIO.txt`` marker and
every row loaded from it is tagged ``source_mode = 'scenario'`` down to the marts.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from reverse_qe.scenario.calendar import business_days
from reverse_qe.scenario.funding_flows import generate_funding_flows
from reverse_qe.scenario.holdings import (
    generate_holdings,
    read_taxonomy,
    thirteen_f_assets,
)
from reverse_qe.scenario.issuance import generate_issuance
from reverse_qe.scenario.prices import generate_prices
from reverse_qe.settings import SEEDS_DIR

SCENARIO_VERSION = 7
TAXONOMY_SEED = SEEDS_DIR / "asset_taxonomy.csv"
MARKER = "SYNTHETIC_SCENARIO.txt"


def default_end(today: dt.date | None = None) -> dt.date:
    """The last business day before today: what a daily run would have been able to download."""
    today = today or dt.date.today()
    return business_days(today - dt.timedelta(days=10), today - dt.timedelta(days=1))[-1]


def ensure_scenario(out_dir: Path, *, end: dt.date, scale: int = 1) -> Path:
    """Generate the scenario into ``out_dir`` unless the same version, end and scale is there."""
    out_dir = Path(out_dir)
    stamp = f"SYNTHETIC data written by the Reverse-QE Monitor scenario generator (v{SCENARIO_VERSION}); end={end.isoformat()} scale={scale}\n"
    marker = out_dir / MARKER
    if marker.exists() and marker.read_text() == stamp:
        return out_dir
    staging = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    generate_funding_flows(staging, end=end)
    generate_issuance(staging, end=end)
    taxonomy = read_taxonomy(TAXONOMY_SEED)
    generate_prices(staging, end=end, assets=[a.priced for a in taxonomy])
    generate_holdings(staging, end=end, scale=scale, taxonomy=thirteen_f_assets(taxonomy))
    (staging / MARKER).write_text(stamp)
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    return out_dir
