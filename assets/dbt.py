"""dbt models as Dagster assets: keys and groups by layer and family, one thread on one file.

The manifest is prepared before the code location loads (``make manifest``), so importing this
module never parses dbt.
"""


import hashlib
import json
from pathlib import Path
from typing import Any, Mapping

from dagster import (
    AssetExecutionContext,
    AssetKey,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from assets.raw import WAREHOUSE_POOL
from reverse_qe.settings import DBT_PROJECT_DIR, dbt_project_vars

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


def vars_digest(project_dir: Path) -> str:
    """A digest of the ``vars`` in the project's dbt_project.yml (the values models read with ``var()``)."""
    return hashlib.sha1(json.dumps(dbt_project_vars(project_dir), sort_keys=True).encode()).hexdigest()[:12]


def code_version(sql_version: str | None, resource_type: str, digest: str) -> str | None:
    """A dbt asset's code version: dagster-dbt's (the model's SQL, a seed's CSV) and, for anything
    but a seed, the project's vars, which steer models without changing their SQL: a changed var
    leaves every model stale for the next transform (orchestration/staleness.py)."""
    if sql_version is None or resource_type == "seed":
        return sql_version
    return f"{sql_version}+vars.{digest}"


class ReverseQeTranslator(DagsterDbtTranslator):
    """Keys are ``<schema>/<model>`` (``raw/<table>`` for sources, matching the ingestion assets)."""

    def __init__(self, *args, vars_digest: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.vars_digest = vars_digest

    def get_code_version(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return code_version(super().get_code_version(dbt_resource_props), dbt_resource_props["resource_type"],
                            self.vars_digest)

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


translator = ReverseQeTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True),
                                 vars_digest=vars_digest(DBT_PROJECT_DIR))


def dbt_build_args(vars_: Mapping[str, Any] | None = None) -> list[str]:
    """The dbt CLI arguments for a build: pure, so it is unit-tested without running dbt.

    Models, seeds and data tests; not the unit tests. Their inputs are fixed rows, so a run on new
    data cannot change their outcome, only the code can: they run with the test suite
    (``tests/dbt/test_dbt_unit_tests.py``), as dbt recommends, and a scheduled run saves their ~2.5 s.
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
def reverse_qe_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    """Every dbt model, seed and test; tests surface as asset checks on the models they guard."""
    invocation = dbt.cli(dbt_build_args(), context=context)
    yield from invocation.stream()
    dbt.after_build(invocation)
