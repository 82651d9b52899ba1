"""Writes the whole bundled scenario into a replay-style directory, once per (version, end, scale).

Everything it writes is SYNTHETIC: the directory carries a ``SYNTHETIC_SCENARIO.txt`` marker and
every row loaded from it is tagged ``source_mode = 'scenario'`` down to the marts.

``python -m reverse_qe.scenario.build`` writes the scenario the ``RQE_*`` settings name (folder,
end, scale) unless it is there: the runner starts it beside itself (``orchestration.cli``), and the
benchmarks publish a day with it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import shutil
from pathlib import Path
from typing import Iterator

from reverse_qe.scenario.calendar import business_days
from reverse_qe.scenario.funding_flows import generate_funding_flows
from reverse_qe.scenario.holdings import (
    generate_holdings,
    read_taxonomy,
    thirteen_f_assets,
)
from reverse_qe.scenario.issuance import generate_issuance
from reverse_qe.scenario.prices import generate_prices
from reverse_qe.settings import SEEDS_DIR, SourceSettings

SCENARIO_VERSION = 7
TAXONOMY_SEED = SEEDS_DIR / "asset_taxonomy.csv"
MARKER = "SYNTHETIC_SCENARIO.txt"


def default_end(today: dt.date | None = None) -> dt.date:
    """The last business day before today: what a daily run would have been able to download."""
    today = today or dt.date.today()
    return business_days(today - dt.timedelta(days=10), today - dt.timedelta(days=1))[-1]


def scenario_end(end: str | None) -> dt.date:
    """The scenario's last day: ``RQE_SCENARIO_END`` when set, otherwise :func:`default_end`."""
    return dt.date.fromisoformat(end) if end else default_end()


def marker_text(end: dt.date, scale: int) -> str:
    """What the marker of a complete scenario of this version, end and scale says."""
    return (f"SYNTHETIC data written by the Reverse-QE Monitor scenario generator (v{SCENARIO_VERSION}); "
            f"end={end.isoformat()} scale={scale}\n")


def is_written(out_dir: Path, *, end: dt.date, scale: int = 1) -> bool:
    """Whether ``out_dir`` holds the scenario of this version, end and scale, complete."""
    marker = Path(out_dir) / MARKER
    return marker.exists() and marker.read_text() == marker_text(end, scale)


@contextlib.contextmanager
def writer_lock(out_dir: Path) -> Iterator[None]:
    """One writer of ``out_dir`` at a time, across processes (a file lock beside it, released when
    the writer ends or dies): the runner writes the scenario in a process of its own while its first
    step may ask for it, and two runs may start together."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.with_name(out_dir.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_scenario(out_dir: Path, *, end: dt.date, scale: int = 1) -> Path:
    """Generate the scenario into ``out_dir`` unless the same version, end and scale is there; a
    process writing it meanwhile is waited for, not written over."""
    out_dir = Path(out_dir)
    if is_written(out_dir, end=end, scale=scale):
        return out_dir
    with writer_lock(out_dir):
        if is_written(out_dir, end=end, scale=scale):  # written by the process this one waited for
            return out_dir
        staging = out_dir.with_name(out_dir.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        generate_funding_flows(staging, end=end)
        generate_issuance(staging, end=end)
        taxonomy = read_taxonomy(TAXONOMY_SEED)
        generate_prices(staging, end=end, assets=[a.priced for a in taxonomy])
        generate_holdings(staging, end=end, scale=scale, taxonomy=thirteen_f_assets(taxonomy))
        (staging / MARKER).write_text(marker_text(end, scale))
        shutil.rmtree(out_dir, ignore_errors=True)
        staging.rename(out_dir)
    return out_dir


def main() -> None:
    settings = SourceSettings.from_env()
    ensure_scenario(settings.scenario_dir, end=scenario_end(settings.scenario_end), scale=settings.scenario_scale)


if __name__ == "__main__":
    main()
