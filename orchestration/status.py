"""``make status``: the answer now, for an operator, from the published copy alone.

``python -m orchestration.status [published.duckdb]`` opens only the published copy (by default
``published.duckdb`` beside ``RQE_WAREHOUSE``), read-only, so it is safe while a run writes the
warehouse, and prints the publication, the latest week's regime and score (with the reason when
there is none), the weeks in that regime, the bathtub's level and idle pool that week, the chain's
latest quarter and each source's freshness (``reverse_qe.reports.summary.status_summary``).
Exit status 1 when there is no published copy yet. Imports no Dagster: it answers in a second.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reverse_qe.settings import published_path, warehouse_path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]).resolve() if args else published_path(warehouse_path())
    if not path.is_file():
        print(f"No published copy at {path}: run `make demo` first (it builds the warehouse and publishes "
              f"{path.name} beside it).", file=sys.stderr)
        return 1
    import duckdb

    from reverse_qe.reports.summary import status_summary

    with duckdb.connect(str(path), read_only=True) as conn:
        print(f"Status of {path}")
        print(status_summary(conn))
    return 0


if __name__ == "__main__":
    sys.exit(main())
