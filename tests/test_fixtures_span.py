"""The replay fixtures hold no date before ``tests.harness.FIXTURES_START``, so the in-process raw
runs (``tests.harness.run_raw``), which start at the partition holding that day, read every row
the fixtures hold. Read as text: ISO days, US days, 13F's ``31-DEC-2022`` and Coinbase's epoch
seconds. A file with no day in it (a header-only series, a CUSIP mapping) has nothing to hold."""

from __future__ import annotations

import datetime as dt
import re

from tests.conftest import FIXTURES
from tests.harness import FIXTURES_START

ISO = re.compile(r"(?<![\d-])((?:19|20)\d\d)-([01]\d)-([0-3]\d)(?!\d)")  # a day, or a timestamp's
US = re.compile(r"\b([01]?\d)/([0-3]?\d)/((?:19|20)\d\d)\b")
SEC = re.compile(r"\b([0-3]\d)-(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)-((?:19|20)\d\d)\b", re.IGNORECASE)
EPOCH = re.compile(r"\[(\d{10}),")  # a Coinbase candle: [time, low, high, open, close, volume]
MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()


def days_in(text: str, epochs: bool) -> list[dt.date]:
    days = [dt.date(int(y), int(m), int(d)) for y, m, d in ISO.findall(text)]
    days += [dt.date(int(y), int(m), int(d)) for m, d, y in US.findall(text)]
    days += [dt.date(int(y), MONTHS.index(mon.upper()) + 1, int(d)) for d, mon, y in SEC.findall(text)]
    if epochs:
        days += [dt.datetime.fromtimestamp(int(s), dt.timezone.utc).date() for s in EPOCH.findall(text)]
    return days


def test_no_replay_fixture_holds_a_day_before_the_start_the_raw_runs_read_from():
    first: dict[str, dt.date] = {}
    for path in sorted(FIXTURES.rglob("*")):
        relative = path.relative_to(FIXTURES)
        if not path.is_file() or relative.parts[0] == "real_excerpts" or path.name == "SOURCES.md":
            continue  # the excerpts are parser fixtures, never replayed; SOURCES.md says when they were taken
        days = days_in(path.read_text(errors="replace"), epochs=relative.parts[0] == "coinbase")
        if days:
            first[str(relative)] = min(days)
    sources = {"fred", "fiscal_data", "nyfed", "coinbase", "stooq", "sec", "sec_13f", "treasurydirect"}
    assert {p.split("/")[0] for p in first} >= sources  # each source's days were found
    early = {path: day for path, day in first.items() if day < FIXTURES_START}
    assert not early, f"fixture rows before {FIXTURES_START} (move FIXTURES_START back): {early}"
