"""The dates a run writes, as the live loaders ask their services for them.

A run writes only the rows of its partitions (``reverse_qe.partitions.partition_mask``): a weekday
run, the month (or H.4.1 week) in progress. A live loader that asked for all history since 2018
fetched years of rows to throw them away; with a :class:`FetchWindow` it asks each service for rows
from the window's start on (each API filters on the same date the partition is cut by), minus what
its validation must see before the start. In replay and scenario modes the documents are files and
the window is not used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from reverse_qe.settings import HISTORY_START


@dataclass(frozen=True)
class FetchWindow:
    """``[start, end)``: the run's partitions; ``last_stored``: per key (a price symbol) the newest
    day the warehouse holds, for sources asked from there (:meth:`since_stored`)."""

    start: dt.date
    end: dt.date
    last_stored: Mapping[str, dt.date] = field(default_factory=dict)

    def since(self, lookback_days: int = 0) -> dt.date:
        """The first day to ask for: the window's start less ``lookback_days``, never before HISTORY_START."""
        return max(HISTORY_START, self.start - dt.timedelta(days=lookback_days))

    def since_stored(self, key: str) -> dt.date:
        """For ``key``: its newest stored day, asked again (a day stored while in progress may have
        changed), when that lies before the window's end. It may lie before the window's start (the
        first run of a month): its rows are validated, not written, and the answer is never empty,
        which Stooq would answer with "No data". A re-run of an older window is asked from its start;
        a key with nothing stored yet from HISTORY_START, as without a window."""
        last = self.last_stored.get(key)
        if last is None:
            return HISTORY_START
        return last if last < self.end else self.since()


def first_day(window: FetchWindow | None, lookback_days: int = 0) -> dt.date:
    """The first day a loader asks for: all history without a window."""
    return window.since(lookback_days) if window is not None else HISTORY_START
