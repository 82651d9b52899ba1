"""The published asset hands publish_copy each raw table's declared date column."""

from assets.publish import RAW_ASSETS, raw_date_columns


def test_every_raw_table_has_its_declared_date_column():
    columns = raw_date_columns()
    assert len(columns) == sum(len(a.keys) for a in RAW_ASSETS) == 15
    assert columns["fred_observations"] == "observation_date"
    assert columns["sec_companyfacts"] == "filed"
    assert columns["sec13f_infotable"] is None  # partitioned by data set, no date of its own
    assert columns["sec13f_summarypages"] is None  # likewise
    assert columns["sec13f_securities_list"] == "list_quarter_end"
    assert columns["openfigi_mappings"] == "fetched_on"  # a cache: when each CUSIP was asked
    assert all(column is None or column.isidentifier() for column in columns.values())


def test_the_report_page_replaces_index_html_whole(tmp_path):
    from assets.reports import report_page, write_page

    assert set(report_page.keys) == {report_page.key} and report_page.key.path == ["reports", "page"]
    deps = {"/".join(k.path) for k in report_page.asset_deps[report_page.key]}
    assert "published/warehouse" in deps and "marts/fct_liquidity_bathtub" in deps and "marts/fct_divergence" in deps
    first = write_page(tmp_path / "reports", "<html>one</html>")
    second = write_page(tmp_path / "reports", "<html>two</html>")
    assert first == second == tmp_path / "reports" / "index.html"
    assert second.read_text() == "<html>two</html>"
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["index.html"]


def test_the_report_page_records_each_marts_numbers_on_the_mart_for_the_plots_tab(tmp_path):
    """A real run of reports/page over a published copy: an observation on every mart asset, numeric,
    with the row count, and the latest week's headline numbers on the bathtub and the score."""
    import duckdb
    from dagster import DagsterInstance, materialize
    from dagster_duckdb import DuckDBResource

    from assets.publish import MART_KEYS
    from assets.reports import report_page
    from reverse_qe.warehouse import publish_copy
    from tests import handmade_warehouse

    warehouse = handmade_warehouse.build(tmp_path / "reverse_qe.duckdb")
    with duckdb.connect(str(warehouse)) as conn:
        publish_copy(conn, tmp_path / "published.duckdb", run_id="run-1", source_mode="scenario",
                     code_version="abc", date_columns=handmade_warehouse.DATE_COLUMNS)
    instance = DagsterInstance.ephemeral()
    result = materialize([report_page], resources={"warehouse": DuckDBResource(database=str(warehouse))},
                         instance=instance)
    assert result.success
    observed = {}
    for key in MART_KEYS:
        for record in instance.fetch_observations(key, limit=1).records:
            observation = record.event_log_entry.asset_observation
            observed[key.path[-1]] = {k: v.value for k, v in observation.metadata.items()}
    assert set(observed) == set(handmade_warehouse.MARTS)  # the marts of the copy that are assets
    assert all(m["dagster/row_count"] > 0 for m in observed.values())
    assert observed["fct_capex_absorption"]["score"] == handmade_warehouse.LATEST_SCORE
    assert observed["fct_liquidity_bathtub"]["idle_pool_bn"] == 149.0
