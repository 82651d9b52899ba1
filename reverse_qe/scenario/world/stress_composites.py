"""SYNTHETIC stress composites (STLFSI4, NFCI, its risk/credit/leverage subindexes, ANFCI), weekly on Fridays.

Each is a loading on the scenario's own stress (the high-yield spread against its calm level, and
for the risk subindex the cash scarcity SOFR − IORB) plus noise of its own, on the scale the real
indexes use: 0 = average, standard deviations from it; NFCIs sit below 0 in calm years (real NFCI
2021: about −0.6), STLFSI4 swings about four times as far (real 2020-03-20: 5.65 against NFCI 0.32).
Nothing here is real data; every Friday's value depends only on the seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .funding_flows import funding_flows_world
from .primitives import ar1_noise, series_rng

__all__ = ["StressComposites", "stress_composites_world"]

HY_CALM_PCT, HY_SCALE_PCT = 4.0, 1.2  # the scenario's stress factor: (HY OAS − 4.0) / 1.2
# series: (level when the stress factor is 0, loading on it, loading on SOFR − IORB in pp, noise sd)
LOADINGS = {
    "STLFSI4": (-0.20, 0.80, 4.0, 0.15),
    "NFCI": (-0.45, 0.25, 1.0, 0.03),
    "NFCIRISK": (-0.40, 0.30, 3.0, 0.05),
    "NFCICREDIT": (-0.30, 0.20, 0.0, 0.04),
    "NFCILEVERAGE": (-0.25, 0.15, 0.0, 0.05),
    "ANFCI": (-0.50, 0.25, 1.0, 0.04),
}
DECIMALS = {"STLFSI4": 4}  # as the real downloads: STLFSI4 4 places, the Chicago Fed's 5
DEFAULT_DECIMALS = 5


@dataclass(frozen=True)
class StressComposites:
    fridays: np.ndarray  # positions (in the horizon's weekdays) of the Fridays
    values: dict[str, np.ndarray]  # per Friday, index points


@lru_cache(maxsize=4)
def stress_composites_world(seed: int) -> StressComposites:
    world = funding_flows_world(seed)
    cal = world.cal
    fridays = np.flatnonzero(cal.days.astype("datetime64[D]").astype(np.int64) % 7 == 1)  # 1970-01-02 was a Friday
    stress = (world.fred_daily["BAMLH0A0HYM2"][fridays] - HY_CALM_PCT) / HY_SCALE_PCT
    scarcity = np.maximum(world.fred_daily["SOFR"][fridays] - world.fred_daily["IORB"][fridays], 0.0)
    values = {}
    for series_id, (level, on_stress, on_scarcity, sd) in LOADINGS.items():
        noise = ar1_noise(series_rng(seed, series_id), len(fridays), 0.8, sd)
        value = np.round(level + on_stress * stress + on_scarcity * scarcity + noise,
                         DECIMALS.get(series_id, DEFAULT_DECIMALS)) + 0.0
        value.flags.writeable = False
        values[series_id] = value
    return StressComposites(fridays, values)
