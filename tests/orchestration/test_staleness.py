"""The transform after ingestion rebuilds only what is stale, judged from Dagster's own event log.

The instance is Dagster's (ephemeral), the graph the code location's; materialisations are
reported as the steps report them: dbt's with their code version, a raw asset's with how many rows
its write changed.
"""

import pytest
from dagster import AssetKey, AssetMaterialization, DagsterInstance
from dagster._core.definitions.data_version import CODE_VERSION_TAG

from assets.raw import ROWS_CHANGED

PRICES = AssetKey(["raw", "stooq_daily_prices"])
# downstream of the prices / not
CHAIN, DIVERGENCE, PUBLISHED = "intermediate/int_chain__rounds", "marts/fct_divergence", "published/warehouse"
HOLDINGS_ONLY = {"intermediate/int_holdings__positions", "staging/stg_sec13f__infotable", "staging/stg_fred__observations"}


@pytest.fixture(scope="module")
def graph():
    from orchestration.definitions import defs

    return defs.resolve_asset_graph()


@pytest.fixture
def built(graph):
    """An instance where every transform asset was built with today's code."""
    from orchestration.jobs import transform_job

    instance = DagsterInstance.ephemeral()
    for key in sorted(transform_job.selection.resolve(graph), key=lambda k: k.path):
        build(instance, graph, key)
    return instance


def build(instance, graph, key, code_version=None):
    code = code_version or graph.get(key).code_version
    instance.report_runless_asset_event(AssetMaterialization(key, tags={CODE_VERSION_TAG: code} if code else None))


def ingest(instance, key=PRICES, **metadata):
    instance.report_runless_asset_event(AssetMaterialization(key, metadata=metadata))


def selected(instance, graph, warehouse=None) -> set[str]:
    from orchestration.jobs import transform_after

    return {"/".join(k.path) for k in transform_after(["daily_ingest"], graph, instance, warehouse)}


def roots(graph) -> set[str]:
    from orchestration.jobs import TRANSFORM_ROOTS

    return {"/".join(k.path) for k in TRANSFORM_ROOTS.resolve(graph)}


def test_a_download_that_repeats_the_stored_rows_rebuilds_nothing_but_the_seeds(built, graph):
    ingest(built, **{ROWS_CHANGED: 0})
    assert selected(built, graph) == seed_paths(graph)  # no warehouse to look in: the seeds, in case


def test_changed_rows_rebuild_what_is_downstream_of_their_table_only(built, graph):
    ingest(built, **{ROWS_CHANGED: 0})
    ingest(built, **{ROWS_CHANGED: 3})  # any write after the build that changed rows counts
    rebuilt = selected(built, graph)
    assert {CHAIN, DIVERGENCE, PUBLISHED} <= rebuilt
    assert not rebuilt & HOLDINGS_ONLY


def test_a_write_that_does_not_say_what_it_changed_counts_as_a_change(built, graph):
    ingest(built)  # e.g. a step of an older version, or a source not provided
    assert CHAIN in selected(built, graph)


def test_what_a_transform_left_unbuilt_stays_stale_for_the_next(built, graph):
    ingest(built, **{ROWS_CHANGED: 3})
    stale = selected(built, graph) - seed_paths(graph)
    # a transform that failed halfway (or one started by hand for a few assets) built some of them
    done = {CHAIN, "staging/stg_stooq__daily_prices"}
    for path in done:
        build(built, graph, AssetKey(path.split("/")))
    assert stale - done <= selected(built, graph)
    # once all of them are built, nothing is stale
    for path in stale:
        build(built, graph, AssetKey(path.split("/")))
    assert selected(built, graph) == seed_paths(graph)


def test_a_model_whose_sql_changed_is_rebuilt_with_what_is_downstream_of_it(built, graph):
    build(built, graph, AssetKey(["intermediate", "int_chain__exposures"]), code_version="the SQL before the deploy")
    rebuilt = selected(built, graph)
    assert {"intermediate/int_chain__exposures", CHAIN, PUBLISHED} <= rebuilt
    assert "staging/stg_stooq__daily_prices" not in rebuilt and not rebuilt & HOLDINGS_ONLY


def test_an_asset_never_materialised_is_built_whatever_ingestion_ran(graph):
    """A replay without 13F data sets never runs the quarterly job; the holdings models must still
    exist (empty) for the chain models a weekday's prices rebuild."""
    from orchestration.jobs import transform_job

    everything = {"/".join(k.path) for k in transform_job.selection.resolve(graph)}
    assert selected(DagsterInstance.ephemeral(), graph) == everything


def seed_paths(graph) -> set[str]:
    from orchestration.jobs import dbt_seeds

    return {"/".join(k.path) for k in dbt_seeds(graph)}


def warehouse_with(path, graph, leave_out=0):
    """A DuckDB file holding the seeds' tables (empty), less the first ``leave_out`` of them."""
    import duckdb

    from orchestration.jobs import table_of

    tables = sorted(table_of(graph, AssetKey(p.split("/"))) for p in seed_paths(graph))
    with duckdb.connect(str(path)) as conn:
        for schema, table in tables[leave_out:]:
            conn.execute(f'create schema if not exists "{schema}"')
            conn.execute(f'create table "{schema}"."{table}" (x integer)')
    return path


def test_the_seeds_are_the_dbt_seeds_and_each_names_its_table(graph):
    from orchestration.jobs import table_of

    seeds = seed_paths(graph)
    assert "raw/hyperscalers" in seeds and len(seeds) == 11  # dbt_project/seeds
    assert "intermediate/int_chain__scenarios" in roots(graph) - seeds  # built from vars alone
    assert table_of(graph, AssetKey(["raw", "hyperscalers"])) == ("raw", "hyperscalers")


def test_each_seeds_code_version_is_its_csvs_content():
    """What lets a seed follow the staleness rules: dbt checksums a seed's file, unless it is over
    1 MiB, where it checksums the path, and a changed CSV would then go unseen."""
    import json

    from assets.dbt import dbt_project

    nodes = json.loads(dbt_project.manifest_path.read_text())["nodes"].values()
    seeds = {n["name"]: n["checksum"]["name"] for n in nodes if n["resource_type"] == "seed"}
    assert len(seeds) == 11 and set(seeds.values()) == {"sha256"}, seeds


def test_with_their_tables_in_the_warehouse_unchanged_seeds_and_scenarios_are_not_rebuilt(built, graph, tmp_path):
    warehouse = warehouse_with(tmp_path / "w.duckdb", graph)
    ingest(built, **{ROWS_CHANGED: 0})
    assert selected(built, graph, warehouse) == set()  # the runner and the sensor then run no transform
    ingest(built, **{ROWS_CHANGED: 3})
    rebuilt = selected(built, graph, warehouse)
    assert {CHAIN, DIVERGENCE, PUBLISHED} <= rebuilt and not rebuilt & seed_paths(graph)


def test_a_seed_whose_csv_changed_is_rebuilt_with_what_is_downstream_of_it(built, graph, tmp_path):
    warehouse = warehouse_with(tmp_path / "w.duckdb", graph)
    build(built, graph, AssetKey(["raw", "asset_taxonomy"]), code_version="the CSV before the deploy")
    rebuilt = selected(built, graph, warehouse)
    assert "raw/asset_taxonomy" in rebuilt and rebuilt & seed_paths(graph) == {"raw/asset_taxonomy"}
    assert "intermediate/int_securities__asset_groups" in rebuilt  # reads the taxonomy


@pytest.mark.parametrize("warehouse", ["lacking one seed table", "not there", "not DuckDB", "open here read-write"])
def test_every_seed_is_rebuilt_when_the_warehouse_lacks_one_or_cannot_say(built, graph, tmp_path, warehouse):
    """A new warehouse under an old Dagster home (the models then fail on a missing seed), or one
    that cannot be read at once."""
    import duckdb

    path = tmp_path / "w.duckdb"
    if warehouse == "lacking one seed table":
        warehouse_with(path, graph, leave_out=1)
    elif warehouse == "not DuckDB":
        path.write_text("not a database")
    elif warehouse == "open here read-write":  # DuckDB refuses a read-only open beside it in this process
        warehouse_with(path, graph)
    held = duckdb.connect(str(path)) if warehouse == "open here read-write" else None
    try:
        ingest(built, **{ROWS_CHANGED: 0})
        assert selected(built, graph, path) == seed_paths(graph)
    finally:
        if held is not None:
            held.close()


def test_a_models_code_version_is_its_sql_and_the_projects_vars_a_seeds_its_csv(graph):
    from assets.dbt import code_version, translator, vars_digest
    from reverse_qe.settings import DBT_PROJECT_DIR

    assert translator.vars_digest == vars_digest(DBT_PROJECT_DIR)
    assert code_version("sql", "model", "v1") != code_version("sql", "model", "v2")
    assert code_version("csv", "seed", "v1") == code_version("csv", "seed", "v2") == "csv"
    assert graph.get(AssetKey(["intermediate", "int_chain__scenarios"])).code_version.endswith(translator.vars_digest)


def test_a_changed_var_rebuilds_the_scenarios_built_from_vars_alone(built, graph, tmp_path):
    from assets.dbt import translator

    warehouse = warehouse_with(tmp_path / "w.duckdb", graph)
    scenarios = AssetKey(["intermediate", "int_chain__scenarios"])
    built_with = graph.get(scenarios).code_version.replace(translator.vars_digest, "the vars before")
    build(built, graph, scenarios, code_version=built_with)
    rebuilt = selected(built, graph, warehouse)
    assert {"intermediate/int_chain__scenarios", "intermediate/int_chain__scenario_outcomes", PUBLISHED} <= rebuilt
    assert not rebuilt & seed_paths(graph)


def test_with_nothing_stale_the_runner_runs_no_transform_and_the_sensor_requests_none(built, graph, tmp_path,
                                                                                      monkeypatch, capsys):
    """An empty selection would run the whole transform job (Dagster reads it as no selection)."""
    from dagster import DagsterEvent, DagsterEventType, SkipReason, build_run_status_sensor_context

    from orchestration.cli import run_job
    from orchestration.definitions import defs
    from orchestration.sensors import transform_after_ingest

    monkeypatch.setenv("RQE_WAREHOUSE", str(warehouse_with(tmp_path / "w.duckdb", graph)))
    ingest(built, **{ROWS_CHANGED: 0})
    result, _ = run_job(built, defs, "transform_and_publish", after=["daily_ingest"])
    assert result is None
    assert "transform_and_publish: nothing stale after daily_ingest (no input changed)" in capsys.readouterr().out
    run = built.create_run_for_job(job_def=defs.resolve_job_def("daily_ingest"))
    context = build_run_status_sensor_context(
        sensor_name=transform_after_ingest.name, dagster_instance=built, dagster_run=run,
        dagster_event=DagsterEvent(event_type_value=DagsterEventType.RUN_SUCCESS.value, job_name="daily_ingest"),
        repository_def=defs.get_repository_def())
    skipped = transform_after_ingest(context)
    assert isinstance(skipped, SkipReason) and "nothing stale" in skipped.skip_message
    assert built.get_runs_count() == 1  # the ingestion run made here; no transform was created
