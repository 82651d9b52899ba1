"""Only the newest dbt invocation folders stay in the target path (reverse_qe.dbt_targets)."""

from __future__ import annotations

import os

from reverse_qe.dbt_targets import prune_run_targets


def _folder(base, name: str, age_s: int):
    path = base / name
    (path / "compiled").mkdir(parents=True)
    (path / "run_results.json").write_text("{}")
    stamp = 1_800_000_000 - age_s
    os.utime(path, (stamp, stamp))
    return path


def test_the_oldest_invocation_folders_go_and_the_current_one_stays_however_old(tmp_path):
    runs = [_folder(tmp_path, f"reverse_qe_dbt_assets-{n:07x}-abcdef{n % 10}", age_s=100 * n) for n in range(8)]
    outside_a_run = _folder(tmp_path, "0a1b2c3", age_s=50)  # dagster-dbt's name without a run
    current = _folder(tmp_path, "reverse_qe_dbt_assets-fffffff-0000000", age_s=10_000)  # the oldest mtime
    dbt_own = [_folder(tmp_path, name, age_s=99_999) for name in ("compiled", "run", "my_target")]
    (tmp_path / "manifest.json").write_text("{}")

    removed = prune_run_targets(current, keep=4)

    # the current folder, then the three newest others: runs[0], outside_a_run (50 s), runs[1]
    assert sorted(removed) == sorted(runs[2:])
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {current.name, runs[0].name, outside_a_run.name, runs[1].name, "manifest.json",
                    *(p.name for p in dbt_own)}
    assert prune_run_targets(current, keep=4) == []
