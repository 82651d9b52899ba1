"""Render the project's own dbt SQL (models and macros) with plain Jinja, to run it in DuckDB; load
a Python model's module, to call its functions.

For property tests that run a model's real SQL many times: ``ref('x')`` becomes the table ``x``,
``var`` reads ``dbt_project.yml`` (with overrides). Only for models using ref/var/macros.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import jinja2

from reverse_qe.settings import dbt_project_vars

DBT = Path(__file__).resolve().parents[1] / "dbt_project"


def project_vars(**overrides) -> dict:
    return {**dbt_project_vars(DBT), **overrides}


def render(template: str, **var_overrides) -> str:
    """``template`` with the project's macros and vars (``var_overrides`` on top). Kept per
    template and overrides for the session: a property test renders the same models for each of
    its examples."""
    return _rendered(template, tuple(sorted(var_overrides.items())))


@functools.lru_cache(maxsize=None)
def _rendered(template: str, var_overrides: tuple) -> str:
    return _environment(var_overrides).from_string(template).render()


@functools.lru_cache(maxsize=None)
def _environment(var_overrides: tuple) -> jinja2.Environment:
    """A Jinja environment with dbt's few globals and the project's macros, compiled once per set of
    overrides. Compiling the macros anew with each model took ~45 ms a model: 1.2 s of each test
    worker's collection, where modules render their models (2026-12-05); a model renders the same,
    but for the blank lines the macros' text left above it."""
    values = project_vars(**dict(var_overrides))
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"])
    env.globals.update(
        ref=lambda name: name,
        var=lambda name, default=None: values.get(name, default),
        config=lambda **kwargs: "",
        is_incremental=lambda: False,  # a model's full build: every quarter (macros/quarterly.sql)
    )
    macros = env.from_string("\n".join(p.read_text() for p in sorted((DBT / "macros").glob("*.sql")))).module
    env.globals.update({name: getattr(macros, name) for name in dir(macros) if not name.startswith("_")})
    return env


def render_model(path: str, **var_overrides) -> str:
    return render((DBT / "models" / path).read_text(), **var_overrides)


@functools.cache
def python_model(path: str):
    """A Python model's file as a module (its ``model(dbt, session)`` and the plain functions under it)."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, DBT / "models" / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
