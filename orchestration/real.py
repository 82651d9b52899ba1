"""``make real``: the pipeline over real downloads, and what it reads.

``python -m orchestration.real --replay DIR`` runs every job with ``RQE_SOURCE=replay`` over a
directory of downloads laid out as the README's "Replay layout" says, into its own warehouse
(``warehouse/real/`` by default, with its own Dagster instance, so the scenario's warehouse is left
alone), then prints the bathtub's latest values, the regime by year and the coverage by source.

``--corpus DIR`` first assembles such a directory from the real-download corpus the tests use
(``tests/real/corpus.py``: unmodified files under their publishers' names; the default is the
corpus beside the clone). ``--readme`` also writes that output into README.md between the markers
``<!-- real-run:begin -->`` and ``<!-- real-run:end -->``, so the README shows what the command
printed, never a typed copy; ``--report-only PUBLISHED --readme`` does the same for the scenario's
published copy (the ``demo-run`` block) without running anything.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from reverse_qe.reports import summary
from reverse_qe.settings import REPO_ROOT



def run_replay(replay: Path, out: Path) -> subprocess.CompletedProcess:
    """Every job over ``replay`` into ``out/reverse_qe.duckdb``, with a Dagster instance of its own."""
    home = out / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "RQE_SOURCE": "replay", "RQE_REPLAY_DIR": str(replay), "DAGSTER_HOME": str(home),
           "RQE_WAREHOUSE": str(out / "reverse_qe.duckdb"), "RQE_LANDING_DIR": str(out / "landing")}
    return subprocess.run([sys.executable, "-m", "orchestration.cli"], cwd=REPO_ROOT, env=env, text=True,
                          capture_output=True)


def report(published: Path, replay: Path | None = None) -> str:
    """What the published copy says: the latest week, the regime by year (and why there is none),
    the reserve floor by year (fixed and estimated), the chain, the stress composites, the coverage by
    source (paths inside the replay directory shown relative to it)."""
    with duckdb.connect(str(published), read_only=True) as conn:
        parts = [summary.latest_week(conn), summary.regime_by_year(conn),
                 summary.reserve_floor_by_year(conn), summary.chain_latest(conn), summary.stress_composites(conn),
                 summary.coverage(conn, replay=str(replay) if replay else None)]
    return "\n".join(line for part in parts for line in part)


def write_readme_block(name: str, text: str, readme: Path = REPO_ROOT / "README.md") -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    content = readme.read_text()
    if begin not in content or end not in content:
        raise SystemExit(f"{readme} has no {begin} ... {end} block to write into")
    block = f"{begin}\n```\n{text}\n```\n{end}"
    readme.write_text(re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, content, flags=re.S))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make real", description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--replay", type=Path, help="a directory of downloads, one sub-folder per source")
    source.add_argument("--corpus", type=Path, nargs="?", const=Path(""),
                        help="assemble the replay directory from the real-download corpus (default: beside the clone)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "warehouse" / "real", help="where the warehouse goes")
    parser.add_argument("--readme", action="store_true", help="write the printed report into README.md")
    parser.add_argument("--report-only", type=Path, metavar="PUBLISHED",
                        help="run nothing: print the report of this published copy (with --readme: the demo block)")
    args = parser.parse_args(argv)
    if args.report_only:
        text = report(args.report_only)
        print(text)
        if args.readme:
            write_readme_block("demo-run", text)
        return 0
    out = args.out.resolve()
    if args.replay:
        replay = args.replay.resolve()
    else:
        from tests.real import (
            corpus,  # the corpus's file map lives with the tests that check it
        )

        root = args.corpus if args.corpus and str(args.corpus) else corpus.corpus_dir()
        replay = out / "replay"
        shutil.rmtree(replay, ignore_errors=True)
        placed = corpus.assemble_replay_dir(replay, root=root)
        print(f"Replay directory {replay} from the corpus {root}: "
              + ", ".join(f"{source} {len(names)}" for source, names in sorted(placed.items())), flush=True)
    for stale in ("reverse_qe.duckdb", "reverse_qe.duckdb.wal", "published.duckdb"):
        (out / stale).unlink(missing_ok=True)
    print(f"Running every job over {replay} into {out} ...", flush=True)
    run = run_replay(replay, out)
    if run.returncode != 0:
        print(run.stdout[-6000:], run.stderr[-6000:], sep="\n", file=sys.stderr)
        return run.returncode
    for line in run.stderr.splitlines():
        if line.startswith(("Warning:", "Check not green:")):
            print(line)
    text = report(out / "published.duckdb", replay)
    print(text)
    if args.readme:
        write_readme_block("real-run", text)
        print("README.md: the real-data block rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
