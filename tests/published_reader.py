"""Run as a separate process: query published.duckdb in a loop until a stop file appears (or a
time limit passes), and report what it saw.

Prints one JSON line: {"queries": n, "errors": [...], "states": {"<rows>|<last week>": count}}.
"""

import json
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb

path, stop_file, seconds = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
states, errors, queries = Counter(), [], 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline and not stop_file.exists():
    try:
        with duckdb.connect(path, read_only=True) as conn:
            rows, last, total = conn.execute(
                "select count(*), max(week_ending), sum(net_liquidity_bn) from marts.fct_liquidity_bathtub"
            ).fetchone()
            # A complete state is internally consistent: the raw table has every week the mart has.
            walcl_weeks = conn.execute(
                "select count(*) from raw.fred_observations where series_id = 'WALCL' and value is not null"
            ).fetchone()[0]
        states[f"{rows}|{last}|{walcl_weeks}"] += 1
        queries += 1
    except Exception as exc:  # every failure is reported, none hidden
        errors.append(f"{type(exc).__name__}: {exc}")
    # ~6 reads a second: a publish's copy and swap take seconds, and a reader polling faster only
    # takes a core from the run it watches (0.02 s here cost 138 CPU s over one run)
    time.sleep(0.1)
print(json.dumps({"queries": queries, "errors": errors[:20], "error_count": len(errors), "states": states}))
