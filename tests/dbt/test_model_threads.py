"""A model that runs on every DuckDB thread (``meta={'order_independent': true}``, macros/threads.sql)
writes its rows in the order of its key: else they come out in whatever order the threads finish,
and a model after it that adds up doubles on one thread would add them in another order in each
build. What it runs with is tested in tests/e2e/test_deterministic_marts.py; this reads the manifest
``dbt parse`` writes (``make manifest``; the fixture is in tests/dbt/conftest.py) and builds nothing.
"""

from __future__ import annotations

import re

# The last clause of the model's SQL, after any comment: ORDER BY columns, no subquery after it.
ENDS_IN_ORDER_BY = re.compile(r"\border\s+by\s[^()]*$", re.IGNORECASE)


def order_independent_models(manifest: dict) -> dict[str, dict]:
    return {node["name"]: node for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"].get("meta", {}).get("order_independent")}


def test_every_model_on_every_thread_ends_in_an_order_by(manifest):
    models = order_independent_models(manifest)
    assert "int_holdings__positions" in models, sorted(models)
    unordered = sorted(name for name, node in models.items()
                       if not ENDS_IN_ORDER_BY.search(re.sub(r"--[^\n]*", "", node["raw_code"]).strip()))
    assert not unordered, f"these models run on every thread without an ORDER BY of their key at the end: {unordered}"
