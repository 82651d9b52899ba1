"""Bad issuance input fails with the file and row named, and the marts built before stay as they were."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import copy_run, run_demo

pytestmark = pytest.mark.slow


def snapshot(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return {t: conn.execute(f"select * from marts.{t} order by all").fetchall()
                for t in ("fct_capex_absorption", "fct_hyperscaler_funding", "fct_liquidity_bathtub")}


@pytest.fixture(scope="module")
def good_run(replay_run, tmp_path_factory):
    """A copy of the good replay run, with its own copy of the downloads to damage."""
    run = copy_run(replay_run, tmp_path_factory.mktemp("bad_input"))
    return run, run.root / "replay"


def test_replay_fixtures_fill_the_issuance_marts(good_run):
    run, _ = good_run
    with duckdb.connect(str(run.warehouse), read_only=True) as conn:
        quarters = conn.execute(
            "select calendar_quarter_end, capex_bn, external_funding_bn, versions, missing_metrics "
            "from marts.fct_hyperscaler_funding where ticker = 'META' order by 1").fetchall()
    # the hand-written Meta file: Q1 2024 amended 6.40 -> 6.45; Q2 = 14.87 - 6.45; Q3 borrowed 10.43
    assert [(str(q[0]), float(q[1]), float(q[2]), q[3]) for q in quarters] == [
        ("2024-03-31", 6.45, 0.0, 2), ("2024-06-30", 8.42, 0.0, 1), ("2024-09-30", 9.21, 10.43, 1),
        ("2024-12-31", 13.18, 0.0, 1), ("2025-03-31", 12.94, 1.10, 1)]
    assert "debt_proceeds" in quarters[0][4] and "debt_proceeds" not in quarters[2][4]


@pytest.mark.parametrize("damage, expected", [
    (("sec/CIK0001326801.json", lambda text: text.replace('"val":14870000000', '"val":"14870000000"')),
     r"[sec] {path}, row 4: facts.us-gaap.PaymentsToAcquirePropertyPlantAndEquipment.units.USD[4]: 'val' must be a JSON number"),
    (("fiscal_data/auctions_query.json", lambda text: text.replace('"offering_amt":"57000000000"', '"offering_amt":"-57000000000"')),
     r"[fiscal_data] {path}, row 2: offering_amt is negative"),
])
def test_bad_file_names_file_and_row_and_keeps_the_marts(good_run, damage, expected):
    run, replay = good_run
    before = snapshot(run.warehouse)
    name, change = damage
    path = replay / name
    original = path.read_text()
    path.write_text(change(original))
    try:
        again = run_demo(run.root, RQE_SOURCE="replay", RQE_REPLAY_DIR=str(replay))
    finally:
        path.write_text(original)
    assert again.returncode != 0
    assert expected.format(path=path) in again.output, again.output[-3000:]
    assert snapshot(run.warehouse) == before
