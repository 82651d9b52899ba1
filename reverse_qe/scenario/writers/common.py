"""What every scenario writer shares: writing a file's bytes, and which business days a file covers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from ..anchors.funding_flows import FIRST_DATE
from ..world.funding_flows import FundingFlowsWorld

BOM = b"\xef\xbb\xbf"


def write_file(path: Path, text: str, *, bom: bool = False) -> Path:
    """Write ``text`` as UTF-8 bytes (no newline translation; a BOM first if asked), making the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((BOM if bom else b"") + text.encode("utf-8"))
    return path


def newest_business_days_to(world: FundingFlowsWorld, end: dt.date) -> np.ndarray:
    """Indices of the business days to write, newest first (as the DTS export orders them)."""
    bdays = world.cal.days[world.cal.bd]
    keep = (bdays >= np.datetime64(FIRST_DATE, "D")) & (bdays <= np.datetime64(end, "D"))
    return np.flatnonzero(keep)[::-1]
