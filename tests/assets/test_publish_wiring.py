"""The published asset hands publish_copy each raw table's declared date column."""

from assets.publish import RAW_ASSETS, raw_date_columns


def test_every_raw_table_has_its_declared_date_column():
    columns = raw_date_columns()
    assert len(columns) == sum(len(a.keys) for a in RAW_ASSETS) == 12
    assert columns["fred_observations"] == "observation_date"
    assert columns["sec_companyfacts"] == "filed"
    assert columns["sec13f_infotable"] is None  # partitioned by data set, no date of its own
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
