"""Building blocks of every world model: seeded generators, stable hashes, anchor interpolation, step tables, AR(1) noise.

Shared by the funding-flows and issuance worlds; nothing here knows a series or a file format.
"""

from __future__ import annotations

import hashlib
import math
import zlib

import numpy as np


def series_rng(seed: int, name: str) -> np.random.Generator:
    """A generator of its own for each series: stable across runs and independent of the others."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]))


def stable_hash(*parts) -> int:
    """A 64-bit number from the parts' text, the same on every run and machine (seeds, CUSIPs, dates)."""
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


def iso_day(iso: str) -> np.datetime64:
    """An ISO date as a day (datetime64[D])."""
    return np.datetime64(iso, "D")


def interpolate(anchors, days: np.ndarray) -> np.ndarray:
    """Piecewise-linear interpolation of (iso date, value) anchors at ``days`` (datetime64[D])."""
    x = np.array([iso_day(a[0]) for a in anchors]).astype(np.int64)
    y = np.array([a[1] for a in anchors], dtype=float)
    return np.interp(days.astype(np.int64), x, y)


def step_values(table, days: np.ndarray, column: int) -> np.ndarray:
    """Step function: the value of the last table row effective on or before each day."""
    x = np.array([iso_day(r[0]) for r in table])
    idx = np.searchsorted(x, days, side="right") - 1
    return np.array([r[column] for r in table], dtype=float)[np.maximum(idx, 0)]


def ar1_noise(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """AR(1) noise with stationary standard deviation ``sd``."""
    shocks = rng.standard_normal(n) * (sd * math.sqrt(1.0 - phi * phi))
    out = np.empty(n)
    acc = rng.standard_normal() * sd
    for i in range(n):
        acc = phi * acc + shocks[i]
        out[i] = acc
    return out


def bn_to_mn(bn: np.ndarray) -> np.ndarray:
    """$bn floats to $mn integers."""
    return np.rint(np.asarray(bn) * 1000.0).astype(np.int64)
