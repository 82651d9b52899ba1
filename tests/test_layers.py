"""Imports flow one way: ``reverse_qe`` (plain Python) <- ``assets`` (Dagster declarations) <-
``orchestration`` (when things run); ``dbt_project``'s Python models import none of them. This test
reads every module's imports, so a new import that runs against the layers fails here with the file
and line."""

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

# What each layer must never import (top-level package names, including imports inside functions).
FORBIDDEN = {
    "reverse_qe": {"dagster", "dagster_dbt", "dagster_duckdb", "dagster_webserver", "assets", "orchestration"},
    "assets": {"orchestration"},
    # dbt runs its Python models in its own process, which has none of the pipeline loaded
    "dbt_project": {"reverse_qe", "assets", "orchestration", "dagster", "dagster_dbt", "great_expectations"},
}


def imported_packages(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


# Where a layer's Python modules are: dbt's own folders (target/, logs/) hold what dbt writes
# when it runs a model, which may end in .py without being Python.
SOURCES = {"dbt_project": "dbt_project/models"}


def violations(package: str) -> list[str]:
    return [f"{path.relative_to(REPO)}:{line} imports {name}"
            for path in sorted((REPO / SOURCES.get(package, package)).rglob("*.py"))
            for line, name in imported_packages(path) if name in FORBIDDEN[package]]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_layer_imports_the_layers_above_it(package):
    assert (REPO / package).is_dir()
    assert violations(package) == []


def test_the_dbt_projects_python_models_are_read():
    """The scan of dbt_project reaches its Python model (an empty folder would pass anything)."""
    assert (REPO / SOURCES["dbt_project"] / "intermediate/chain/int_chain__scenario_outcomes.py").is_file()
    scanned = [path.name for path in (REPO / SOURCES["dbt_project"]).rglob("*.py")]
    assert "int_chain__scenario_outcomes.py" in scanned


def test_the_direction_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from dagster import asset\n    import orchestration.cli\n")
    assert imported_packages(module) == [(2, "dagster"), (3, "orchestration")]
