"""The FRED series this project reads, with their unit and cadence: read from the dbt seed
``fred_series.csv``, the one place they are written (dbt converts units with the same rows)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from reverse_qe.settings import SEEDS_DIR

SEED = SEEDS_DIR / "fred_series.csv"


@dataclass(frozen=True)
class FredSeries:
    series_id: str
    unit: str  # usd_mn | usd_bn | pct | index: the unit FRED publishes it in
    cadence: str  # daily | weekly (dated Wednesday) | weekly_friday (the stress composites)
    last_published: str  # "" while published; the last date of a discontinued series (IOER)

    @property
    def discontinued(self) -> bool:
        return bool(self.last_published)


@lru_cache(maxsize=1)
def fred_series() -> dict[str, FredSeries]:
    """Every series of the seed, in the seed's order, by id."""
    with open(SEED, newline="", encoding="utf-8") as handle:
        return {row["series_id"]: FredSeries(row["series_id"], row["unit"], row["cadence"], row["last_published"])
                for row in csv.DictReader(handle)}
