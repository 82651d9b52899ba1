"""RQE_SOURCE=replay reads a directory laid out like real downloads (tests/fixtures), no code changes."""

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from tests.conftest import copy_run, run_demo
from tests.harness import raw_tables

pytestmark = pytest.mark.slow


def test_replay_fills_the_bathtub_from_hand_written_downloads(replay_run):
    assert "sources=replay" in replay_run.output
    assert "SYNTHETIC" not in replay_run.output
    with duckdb.connect(str(replay_run.warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select week_ending, fed_total_assets_bn, tga_bn, on_rrp_bn, net_liquidity_bn, is_synthetic "
            "from marts.fct_liquidity_bathtub order by week_ending"
        ).fetchall()
        small_value_ops = conn.execute(
            "select count(*) from raw.nyfed_reverse_repo_operations where is_small_value"
        ).fetchone()[0]
    assert [r[0] for r in rows] == [dt.date(2021, 6, 16) + dt.timedelta(weeks=i) for i in range(5)]
    by_week = {r[0]: r for r in rows}
    week = by_week[dt.date(2021, 6, 23)]
    # The fixtures' own figures for that Wednesday, $mn: WALCL 8,101,946; TGA close (the next
    # day's opening, "Federal Reserve Account" era) 712,906; RRPONTSYD 791.512 $bn.
    assert week[1:5] == (Decimal("8101.946"), Decimal("712.906"), Decimal("791.512"), Decimal("6597.528"))
    assert not any(r[5] for r in rows)
    assert small_value_ops == 1  # flagged and kept in raw, excluded in staging


def test_replay_rerun_gives_the_same_tables(replay_run, tmp_path):
    run = copy_run(replay_run, tmp_path / "again")
    before = raw_tables(run.warehouse, without_source_uri=True)
    # the ingestion jobs only: the transform writes no raw table but the seeds', which do not change
    again = run_demo(run.root, "daily_ingest", "weekly_h41", "quarterly_13f",
                     RQE_SOURCE="replay", RQE_REPLAY_DIR=str(run.root / "replay"))
    assert again.returncode == 0, again.output[-3000:]
    assert before["fred_observations"] and before["sec13f_infotable"]
    assert raw_tables(run.warehouse, without_source_uri=True) == before


def test_replay_13f_positions_follow_units_amendments_and_options(replay_run):
    """The hand-written 13F fixtures through staging and int_holdings__positions, in USD.

    900001: Q3 2022 filed in 2022 (VALUE in $ thousands); Q4 2022 in dollars, two COIN lines summed,
    a put line kept apart, PLTR added by a NEW HOLDINGS amendment. 900002: a RESTATEMENT replaces
    its original (MSTR 900,000 -> 720,000, COIN added). 900003: the XML filing, its call kept apart.
    """
    with duckdb.connect(str(replay_run.warehouse), read_only=True) as conn:
        positions = conn.execute(
            "select cik, cast(period_of_report as varchar), cusip, value_usd "
            "from intermediate.int_holdings__positions order by all").fetchall()
        options = conn.execute(
            "select cik, cusip, put_call, value_usd from intermediate.int_holdings__option_positions order by all").fetchall()
        chain_quarters = conn.execute("select count(*) from marts.fct_forced_selling_chain").fetchone()[0]
    assert positions == [
        (900001, "2022-09-30", "19260Q107", 300_000.0),
        (900001, "2022-09-30", "595112103", 1_250_000.0),
        (900001, "2022-12-31", "19260Q107", 300_000.0),
        (900001, "2022-12-31", "595112103", 1_500_000.0),
        (900001, "2022-12-31", "69608A108", 50_000.0),
        (900002, "2022-12-31", "19260Q107", 80_000.0),
        (900002, "2022-12-31", "594972408", 720_000.0),
        (900003, "2022-12-31", "595112103", 2_500_000.0),
    ]
    assert options == [(900001, "19260Q107", "Put", 40_000.0), (900003, "19260Q107", "Call", 60_000.0)]
    assert chain_quarters == 2
