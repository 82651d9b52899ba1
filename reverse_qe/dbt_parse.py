"""dbt's parse of the project, kept beside the warehouse it was made for.

dbt reuses its previous parse (``partial_parse.msgpack``) only when the profile's connection is the
one it was parsed with, and the profile names the warehouse by its path (``RQE_WAREHOUSE``). The
manifest ``make manifest`` writes is parsed for one path, so every build on another warehouse (a
``make real`` run, a benchmark's or a test's folder, a deployment pointing ``RQE_WAREHOUSE``
elsewhere) parsed the whole project again: "Unable to do partial parsing because profile has
changed", 9.3-11.1 s for ``dbt parse`` against 3.7-4.0 s reusing the parse (three runs each,
2026-12-03, idle).

So each build starts from the parse kept for its warehouse (:func:`kept_parse_path`) when there is
one, and keeps the parse dbt wrote, if it wrote one. dbt still checks every file's hash against the
kept parse and reparses what changed, so a kept parse is never more than a head start; a damaged
one is reparsed (dbt logs why). A copy of the warehouse elsewhere has another path, so its first
build parses again and keeps its own.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

from reverse_qe.replace_file import replace_with_copy

PARSE_FILE = "partial_parse.msgpack"  # dbt's name for it, in the invocation's target folder


def kept_parse_path(warehouse: Path) -> Path:
    """``.<warehouse name>.dbt_parse.msgpack`` beside the warehouse."""
    return warehouse.with_name(f".{warehouse.name}.dbt_parse.msgpack")


def start_from_kept(warehouse: Path, target: Path) -> bool:
    """Put the warehouse's kept parse into the invocation's ``target`` folder, where dbt reads its
    previous parse; False when none is kept yet (dagster-dbt then copies the manifest's own)."""
    kept = kept_parse_path(warehouse)
    if not kept.is_file():
        return False
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(kept, target / PARSE_FILE)
    return True


def keep_parse(warehouse: Path, target: Path) -> bool:
    """Keep the parse dbt left in ``target`` for the warehouse's next build, replacing the kept one
    in one step (a reader sees the old file or the new, never half of one); False when there was
    nothing new to keep (dbt writes the file only when it parsed something)."""
    written, kept = target / PARSE_FILE, kept_parse_path(warehouse)
    if not written.is_file() or (kept.is_file() and filecmp.cmp(written, kept, shallow=False)):
        return False
    replace_with_copy(written, kept)
    return True
