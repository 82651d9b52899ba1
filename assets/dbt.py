"""dbt models as Dagster assets: keys and groups by layer and family, one thread on one file.

The manifest is prepared before the code location loads (``make manifest``), so importing this
module never parses dbt.
"""


import json
from pathlib import Path
from typing import Any, Mapping

from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    MetadataValue,
    Output,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from dagster_duckdb import DuckDBResource

from assets.raw import WAREHOUSE_POOL
from reverse_qe.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

if not dbt_project.manifest_path.exists():
    raise FileNotFoundError(
        f"{dbt_project.manifest_path} is missing: run `make manifest` (dbt parse) before loading "
        "the code location; loading never parses dbt itself."
    )

LAYERS = ("staging", "intermediate", "marts")


def layer_and_family(props: Mapping[str, Any]) -> tuple[str, str | None]:
    """('staging', 'funding_flows') from a model's path models/<layer>/<family>/<name>.sql."""
    fqn = props.get("fqn", [])
    layer = fqn[1] if len(fqn) > 2 and fqn[1] in LAYERS else props.get("config", {}).get("schema") or "raw"
    family = fqn[2] if len(fqn) > 3 else None
    return layer, family


class ReverseQeTranslator(DagsterDbtTranslator):
    """Keys are ``<schema>/<model>`` (``raw/<table>`` for sources, matching the ingestion assets)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        layer, _ = layer_and_family(dbt_resource_props)
        return AssetKey([layer, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        layer, family = layer_and_family(dbt_resource_props)
        return f"{layer}_{family}" if family else layer

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return ["team:analytics"]


translator = ReverseQeTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def dbt_build_args(vars_: Mapping[str, Any] | None = None) -> list[str]:
    """The dbt CLI arguments for a build: pure, so it is unit-tested without running dbt.

    Models, seeds and data tests; not the unit tests. Their inputs are fixed rows, so a run on new
    data cannot change their outcome, only the code can: they run with the test suite
    (``tests/test_dbt_unit_tests.py``), as dbt recommends, and a scheduled run saves their ~2.5 s.
    """
    args = ["build", "--exclude-resource-type", "unit_test"]
    if vars_:
        args += ["--vars", json.dumps(dict(vars_), sort_keys=True)]
    return args


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool=WAREHOUSE_POOL,
)
def reverse_qe_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: DuckDBResource):
    """Every dbt model, seed and test; tests surface as asset checks on the models they guard.

    The explained marts' events are held until dbt has finished (dbt holds the DuckDB file while it
    runs), then their materialisations carry plots and a summary as metadata.
    """
    held = []  # from the first explained mart on, every event waits, so the order stays topological
    try:
        for event in dbt.cli(dbt_build_args(), context=context).stream():
            if held or _event_asset_key(context, event) in EXPLAINED:
                held.append(event)
                continue
            yield event
    finally:
        extras: dict[AssetKey, dict] = {}
        for event in held:
            key = _event_asset_key(context, event)
            if key in EXPLAINED and isinstance(event, (Output, AssetMaterialization)):
                if key not in extras:
                    extras[key] = EXPLAINED[key](context, warehouse)
                event = event.with_metadata({**(event.metadata or {}), **extras[key]})
            yield event


ABSORPTION_KEY = AssetKey(["marts", "fct_capex_absorption"])
CHAIN_MART = AssetKey(["marts", "fct_forced_selling_chain"])


def _event_asset_key(context: AssetExecutionContext, event) -> AssetKey | None:
    if isinstance(event, Output):
        return context.asset_key_for_output(event.output_name)
    if isinstance(event, (AssetMaterialization, AssetCheckResult)):
        return event.asset_key
    return None


def absorption_metadata(context: AssetExecutionContext, warehouse: DuckDBResource) -> dict:
    """Plot and components table of marts.fct_capex_absorption; never fails the run."""
    from reverse_qe.reports.absorption import (
        COLUMNS,
        latest_components_markdown,
        plot_markdown,
        score_plot_png,
    )

    try:
        with warehouse.get_connection() as conn:
            cursor = conn.execute(f"select {', '.join(COLUMNS)} from marts.fct_capex_absorption order by week_ending")
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row)) for row in cursor.fetchall()]
        return {
            "score_plot": MetadataValue.md(plot_markdown(score_plot_png(rows))),
            "latest_components": MetadataValue.md(latest_components_markdown(rows)),
        }
    except Exception as exc:  # explainability must not hide a good build
        context.log.warning(f"fct_capex_absorption: could not build the explanation metadata: {exc}")
        return {}


def chain_metadata(context: AssetExecutionContext, warehouse: DuckDBResource) -> dict:
    """Summary and plots of marts.fct_forced_selling_chain; never fails the run."""
    from assets.reports import chain_report_metadata

    try:
        return chain_report_metadata(Path(warehouse.database))
    except Exception as exc:  # the report explains; it must never fail the models it describes
        context.log.warning(f"fct_forced_selling_chain: chain report not attached: {exc!r}")
        return {}


# Marts whose materialisation carries an explanation, and the function that builds it.
EXPLAINED = {ABSORPTION_KEY: absorption_metadata, CHAIN_MART: chain_metadata}
