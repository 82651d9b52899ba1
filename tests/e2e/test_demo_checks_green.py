"""On the clean scenario every check is green: raw suites, dbt tests, reconciliations, freshness."""

import duckdb
import pytest

pytestmark = pytest.mark.slow


def test_every_check_passes_on_the_scenario_and_nothing_is_quarantined(scenario_run):
    assert "Check not green" not in scenario_run.output, scenario_run.output[-3000:]
    assert "checks passed" in scenario_run.output
    with duckdb.connect(str(scenario_run.warehouse), read_only=True) as conn:
        quarantined = conn.execute("select count(*) from information_schema.tables "
                                   "where table_schema = 'raw' and table_name = 'quarantine'").fetchone()[0]
    assert quarantined == 0
    assert (scenario_run.warehouse.parent / "gx_docs" / "index.html").exists()
