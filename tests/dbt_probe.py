"""A one-folder dbt project for tests that run a real dbt on something small (dbt_child, the warm
dbt, process_exit, the log filter): its own profile, a DuckDB warehouse, and the models asked for."""

from __future__ import annotations

from pathlib import Path


def probe_project(folder: Path, name: str, warehouse: str, models: dict[str, str]) -> Path:
    """``folder`` as a dbt project named ``name`` (profile too) on the DuckDB file ``warehouse`` (a
    path, or Jinja such as ``{{ env_var('X') }}``), one thread, with ``models`` (file stem -> SQL)."""
    (folder / "models").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text(f"name: {name}\nversion: '1.0'\nprofile: {name}\n")
    (folder / "profiles.yml").write_text(
        f"{name}:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: \"{warehouse}\"\n      threads: 1\n")
    for stem, sql in models.items():
        (folder / "models" / f"{stem}.sql").write_text(sql)
    return folder
