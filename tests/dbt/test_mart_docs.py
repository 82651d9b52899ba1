"""Every mart documents itself: a description on each mart and each of its columns, and an enforced
contract, so the columns its SQL outputs are exactly the ones its yml declares (dbt refuses to build
a contracted model whose SQL adds, drops or retypes a column). With ``persist_docs`` on, these
descriptions are the comments an analyst reads in ``duckdb_columns()`` of the published copy.

Reads the manifest ``dbt parse`` writes (``make manifest``); builds nothing.
"""

from __future__ import annotations

import json


def marts(manifest: dict) -> dict[str, dict]:
    return {node["name"]: node for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"].get("schema") == "marts"}


def undocumented(manifest: dict) -> list[str]:
    """One line per problem: a mart without a description or an enforced contract, a column without
    a description."""
    problems = []
    for name, node in sorted(marts(manifest).items()):
        if not node["description"].strip():
            problems.append(f"marts.{name}: no description")
        if not node["config"].get("contract", {}).get("enforced"):
            problems.append(f"marts.{name}: no enforced contract, so columns its SQL adds would go undeclared "
                            "(set config: {contract: {enforced: true}} and declare every column with its data_type)")
        if not node["columns"]:
            problems.append(f"marts.{name}: no columns declared")
        for column, props in node["columns"].items():
            if not (props.get("description") or "").strip():
                problems.append(f"marts.{name}.{column}: no description")
    return problems


def test_the_manifest_holds_the_marts(manifest):
    """The premise: the check below reads real marts, not an empty selection."""
    found = marts(manifest)
    assert {"fct_liquidity_bathtub", "fct_capex_absorption", "fct_forced_selling_chain"} <= set(found)
    assert sum(len(node["columns"]) for node in found.values()) > 100


def test_every_mart_and_mart_column_is_described_under_a_contract(manifest):
    problems = undocumented(manifest)
    assert not problems, "undocumented marts:\n  " + "\n  ".join(problems)


def test_the_check_names_an_undescribed_column_and_a_mart_without_contract(manifest):
    """The check can fail: a copy of the manifest with one description blanked and one contract off."""
    copy = json.loads(json.dumps(manifest))
    bathtub = next(n for n in copy["nodes"].values() if n["name"] == "fct_liquidity_bathtub")
    bathtub["columns"]["week_ending"]["description"] = ""
    bathtub["config"]["contract"]["enforced"] = False
    problems = undocumented(copy)
    assert "marts.fct_liquidity_bathtub.week_ending: no description" in problems
    assert any(p.startswith("marts.fct_liquidity_bathtub: no enforced contract") for p in problems)


def test_the_published_copy_exposure_lists_every_mart(manifest):
    """publish_copy copies every mart, so the exposure analysts own must name each one: a new mart
    shows up in `dbt ls --select +exposure:published_copy` and in the docs' lineage."""
    exposure = next((e for e in manifest["exposures"].values() if e["name"] == "published_copy"), None)
    assert exposure is not None, "dbt_project/models/exposures.yml declares no published_copy exposure"
    listed = {uid.split(".")[-1] for uid in exposure["depends_on"]["nodes"]}
    missing = sorted(set(marts(manifest)) - listed)
    assert not missing, f"marts missing from the published_copy exposure: {missing}"
