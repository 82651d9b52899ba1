"""The catalogue of bad inputs (docs/bad_inputs.md): each kind goes through the real raw asset
(transport, parser, GX validation, DuckDB write) in-process on a copy of a good warehouse, and must
be rejected with an actionable message, kept in raw.quarantine, and leave the raw table unchanged.

One good baseline warehouse is built once from the hand-written replay fixtures; every case copies
it and the replay directory, breaks one document, and runs the one raw asset that reads it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from dagster import AssetCheckSeverity

from tests.conftest import FIXTURES
from tests.harness import RAW_ASSETS, quarantine_rows, raw_rows, run_raw, runner_instance_under

FRED, OCB, PDT, NYFED = ("fred_observations", "dts_operating_cash_balance",
                         "dts_public_debt_transactions", "nyfed_reverse_repo_operations")
BOM = "\ufeff"


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    """The runner's instance (its event storage), in a folder of its own."""
    with runner_instance_under(tmp_path_factory.mktemp("instance")) as inst:
        yield inst


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, instance) -> Path:
    """A warehouse holding every raw table loaded from the good fixtures."""
    root = tmp_path_factory.mktemp("baseline")
    warehouse = root / "reverse_qe.duckdb"
    run = run_raw(list(RAW_ASSETS), warehouse, FIXTURES, instance)
    assert run.success, run.error
    return warehouse


def _edit(relative: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def apply(replay: Path) -> None:
        path = replay / relative
        text = path.read_bytes().decode("utf-8")
        changed = change(text)
        assert changed != text, f"the mutation of {relative} changed nothing"
        path.write_bytes(changed.encode("utf-8"))
    return apply


def _replace(relative: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def change(text: str) -> str:
        assert old in text, (relative, old)
        return text.replace(old, new, count)
    return _edit(relative, change)


def _write_bytes(relative: str, content: bytes) -> Callable[[Path], None]:
    def apply(replay: Path) -> None:
        (replay / relative).write_bytes(content)
    return apply


def _nyfed(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(replay: Path) -> None:
        path = replay / "nyfed" / "reverse_repo_operations.json"
        payload = json.loads(path.read_text())
        change(payload)
        path.write_text(json.dumps(payload, indent=1))
    return apply


def _set_op(index: int, **fields) -> Callable[[dict], None]:
    def change(payload: dict) -> None:
        payload["repo"]["operations"][index].update(fields)
    return change


def _drop_line(relative: str, startswith: str) -> Callable[[Path], None]:
    def change(text: str) -> str:
        lines = text.split("\n")
        kept = [line for line in lines if not line.lstrip(BOM).startswith(startswith)]
        assert len(kept) == len(lines) - 1, startswith
        return "\n".join(kept)
    return _edit(relative, change)


def _copy_file(relative: str, new_name: str) -> Callable[[Path], None]:
    def apply(replay: Path) -> None:
        shutil.copy(replay / relative, (replay / relative).with_name(new_name))
    return apply


def _link_out(relative: str) -> Callable[[Path], None]:
    """Move the file out of the replay directory and leave a symbolic link to it in its place."""
    def apply(replay: Path) -> None:
        outside = replay.parent / "outside"
        outside.mkdir(exist_ok=True)
        moved = outside / Path(relative).name
        (replay / relative).replace(moved)
        (replay / relative).symlink_to(moved)
    return apply


@dataclass(frozen=True)
class Bad:
    kind: str
    table: str
    mutate: Callable[[Path], None]
    stage: str  # "parse" or "validation"
    expected: tuple[str, ...]  # every string must appear in the error message
    location: str  # file name the quarantine record must name
    failed_check: str = ""


WALCL = "fred/WALCL.csv"
OCB_2021 = "fiscal_data/dts_operating_cash_balance_2021-06-16_2021-07-09.csv"
PDT_CSV = "fiscal_data/dts_public_debt_transactions.csv"

CATALOGUE = [
    Bad("renamed column", OCB, _replace(OCB_2021, "Opening Balance Today", "Opening Bal Today"), "parse",
        ("missing column(s) 'Opening Balance Today'", "row 1"), "dts_operating_cash_balance_2021-06-16"),
    Bad("HTML error page instead of CSV", FRED,
        _write_bytes(WALCL, b"<!DOCTYPE html>\n<html><body>503 Service Unavailable</body></html>\n"), "parse",
        ("[fred]", "WALCL.csv", "document is HTML, not CSV"), "WALCL.csv"),
    Bad("truncated file", PDT, _edit(PDT_CSV, lambda t: t[: t.index("\n", 400) + 30]), "parse",
        ("[fiscal_data]", "dts_public_debt_transactions.csv", "truncated"), "dts_public_debt_transactions.csv"),
    Bad("thousands separator", FRED, _replace(WALCL, "2021-06-23,8101946", "2021-06-23,8,101,946"), "parse",
        ("WALCL.csv, row 3", "thousands separator"), "WALCL.csv"),
    Bad("spreadsheet notation 1,75754E+11", PDT,
        _replace(PDT_CSV, "Regular Series,145230,", 'Regular Series,"1,75754E+11",'), "parse",
        ("dts_public_debt_transactions.csv, row 2", "'1,75754E+11'"), "dts_public_debt_transactions.csv"),
    Bad("duplicate key within a file", FRED,
        _replace(WALCL, "2021-06-23,8101946\n", "2021-06-23,8101946\n2021-06-23,8101946\n"), "parse",
        ("duplicate key (observation_date) = (2021-06-23)", "WALCL.csv, row 4"), "WALCL.csv"),
    Bad("duplicate key across two files", NYFED,
        _copy_file("nyfed/reverse_repo_operations.json", "reverse_repo_operations_again.json"), "validation",
        ("the key (operation_id) must identify one row", "reverse_repo_operations"), "reverse_repo_operations_again.json",
        "ExpectColumnValuesToBeUnique(operation_id)"),
    Bad("unit change: WALCL in $bn", FRED,
        _edit(WALCL, lambda t: "\n".join(
            line if i == 0 or not line else f"{line.split(',')[0]},{int(line.split(',')[1]) / 1000:.3f}"
            for i, line in enumerate(t.split("\n")))), "validation",
        ("WALCL.csv, row 2", "WALCL (usd_mn) must lie within 500,000..20,000,000", "8064.217"), "WALCL.csv",
        "ExpectColumnValuesToBeBetween(value)"),
    Bad("unit jump inside the range: WRESBAL", FRED,
        _replace("fred/WRESBAL.csv", "2021-07-07,3802261", "2021-07-07,380226"), "validation",
        ("WRESBAL jumps from 3,944,730 to 380,226", "change of unit", "WRESBAL.csv, row 5"), "WRESBAL.csv",
        "unit_jump"),
    Bad("future date", FRED, _edit("fred/RRPONTSYD.csv", lambda t: t.rstrip("\n") + "\n2030-01-02,100.5\n"),
        "validation", ("RRPONTSYD.csv", "observation_date must not be after the run date", "2030-01-02"),
        "RRPONTSYD.csv", "ExpectColumnValuesToBeBetween(observation_date)"),
    Bad("empty file", FRED, _write_bytes("fred/SOFR.csv", b""), "parse",
        ("[fred]", "SOFR.csv", "empty document"), "SOFR.csv"),
    Bad("non-UTF-8 bytes", FRED, _write_bytes("fred/DGS10.csv", b"observation_date,DGS10\n2021-06-14,1.45\xa0\n"),
        "parse", ("DGS10.csv, row 2", "not valid UTF-8"), "DGS10.csv"),
    Bad("negative balance", OCB, _replace(OCB_2021, "2021-07-06,Federal Reserve Account,790115,",
                                          "2021-07-06,Federal Reserve Account,-790115,"), "validation",
        ("dts_operating_cash_balance_2021-06-16_2021-07-09.csv, row 5", "open_today_bal ($mn) must not be negative",
         "-790115"), "dts_operating_cash_balance_2021-06-16", "ExpectColumnValuesToBeBetween(open_today_bal)"),
    Bad("negative ON RRP", FRED, _replace("fred/RRPONTSYD.csv", "2021-06-15,537.912", "2021-06-15,-537.912"),
        "validation", ("RRPONTSYD.csv, row 3", "RRPONTSYD (usd_bn) must lie within 0..5,000"), "RRPONTSYD.csv",
        "ExpectColumnValuesToBeBetween(value)"),
    Bad("yield out of range (basis points)", FRED, _replace("fred/DGS10.csv", "2021-06-15,1.47", "2021-06-15,147"),
        "validation", ("DGS10.csv, row 3", "DGS10 (pct) must lie within -2..25", "147.0"), "DGS10.csv",
        "ExpectColumnValuesToBeBetween(value)"),
    Bad("spread in basis points", FRED, _edit("fred/BAMLH0A0HYM2.csv", lambda t: t.replace(
        t.split("\n")[1], t.split("\n")[1].split(",")[0] + ",350")), "validation",
        ("BAMLH0A0HYM2.csv, row 2", "BAMLH0A0HYM2 (pct) must lie within 0..30"), "BAMLH0A0HYM2.csv",
        "ExpectColumnValuesToBeBetween(value)"),
    Bad("DTS day without its TGA row", OCB, _drop_line(OCB_2021, "2021-06-16,Federal Reserve Account"),
        "validation", ("no TGA opening-balance row", "2021-06-16", "dts_operating_cash_balance_2021-06-16"),
        "dts_operating_cash_balance_2021-06-16", "tga_row_each_day"),
    Bad("dates out of order", FRED, _replace(WALCL, "2021-06-23,8101946\n2021-06-30,8069733",
                                             "2021-06-30,8069733\n2021-06-23,8101946"), "validation",
        ("observation_date goes backwards and forwards", "WALCL.csv, row 4"), "WALCL.csv", "dates_in_order"),
    Bad("NY Fed JSON without repo", NYFED, _write_bytes("nyfed/reverse_repo_operations.json",
                                                        b'{"operations": []}'), "parse",
        ("[nyfed]", 'expected {"repo": {"operations": [...]}}'), "reverse_repo_operations.json"),
    Bad("NY Fed amount as a string", NYFED, _nyfed(_set_op(1, totalAmtAccepted="991939000000")), "parse",
        ("reverse_repo_operations.json, row 1", "field 'totalAmtAccepted': expected a JSON number"),
        "reverse_repo_operations.json"),
    Bad("NY Fed repo operation among reverse repos", NYFED, _nyfed(_set_op(1, operationType="Repo")), "validation",
        ("operation_type must be 'Reverse Repo'", "reverse_repo_operations.json, row 1", "'Repo'"),
        "reverse_repo_operations.json", "ExpectColumnValuesToBeInSet(operation_type)"),
    Bad("NY Fed maturity before operation", NYFED, _nyfed(_set_op(1, maturityDate="2021-06-01")), "validation",
        ("maturity_date must not be before operation_date",), "reverse_repo_operations.json",
        "ExpectColumnPairValuesAToBeGreaterThanB"),
    Bad("impossible date", FRED, _replace(WALCL, "2021-06-30,", "2021-06-31,"), "parse",
        ("WALCL.csv, row 4", "expected a date as YYYY-MM-DD, found '2021-06-31'"), "WALCL.csv"),
    Bad("Fiscal Data page without data", OCB, _write_bytes("fiscal_data/dts_operating_cash_balance.json",
                                                           b'{"error": "Invalid filter", "message": "..."}'),
        "parse", ("dts_operating_cash_balance.json", "without 'data'"), "dts_operating_cash_balance.json"),
    Bad("negative price", "stooq_daily_prices", _replace("stooq/mu.us.csv", "2025-01-03,91.3,95,91,94.75,", "2025-01-03,91.3,95,91,-94.75,"),
        "parse", ("[stooq]", "mu.us.csv", "close=-94.75"), "mu.us.csv"),
    Bad("bid-to-cover in percent", "treasury_auctions",
        _replace("fiscal_data/auctions_query.json", '"bid_to_cover_ratio":"2.380000"', '"bid_to_cover_ratio":"238.000000"'),
        "validation", ("bid_to_cover_ratio lies within 0..20",), "auctions_query.json", "ExpectColumnValuesToBeBetween(bid_to_cover_ratio)"),
    Bad("DTS transaction type relabelled", PDT, _replace(PDT_CSV, "2021-06-24,Issues,", "2021-06-24,Issue,"),
        "parse", ("dts_public_debt_transactions.csv, row 2", "expected one of 'Issues', 'Redemptions'"),
        "dts_public_debt_transactions.csv"),
    Bad("companyfacts of another company", "sec_companyfacts",
        _copy_file("sec/CIK0001326801.json", "CIK0000789019.json"), "parse",
        ("[sec]", "CIK0000789019.json", "CIK 0001326801 (Meta Platforms, Inc.), not CIK 0000789019",
         "Microsoft Corporation"), "CIK0000789019.json"),
    Bad("FRED file of another series", FRED, _write_bytes(WALCL, b"observation_date,DGS10\n2021-06-23,1.5\n"),
        "parse", ("WALCL.csv, row 1", "expected series 'WALCL'", "found 'DGS10'"), "WALCL.csv"),
    Bad("overlapping candle pages that disagree", "coinbase_daily_candles",
        _write_bytes("coinbase/BTC-USD_p0002.json", b"[[1736035200,97500,99000,98200,98600,9876.5]]"), "parse",
        ("[coinbase]", "duplicate key (symbol, price_date) = (BTC-USD, 2025-01-05", "BTC-USD_p0001.json",
         "BTC-USD_p0002.json"), "BTC-USD_p0002.json"),
    Bad("symbolic link out of the replay directory", FRED, _link_out(WALCL), "parse",
        ("[fred]", "fred/WALCL.csv: a symbolic link to", "outside/WALCL.csv", "not followed"), "WALCL.csv"),
]


@pytest.fixture
def case_dirs(tmp_path, baseline):
    replay = tmp_path / "replay"
    shutil.copytree(FIXTURES, replay)
    warehouse = tmp_path / "warehouse" / "reverse_qe.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(baseline, warehouse)
    return replay, warehouse


@pytest.mark.parametrize("bad", CATALOGUE, ids=[b.kind for b in CATALOGUE])
def test_bad_input_is_quarantined_and_leaves_raw_unchanged(bad: Bad, case_dirs, baseline, instance):
    replay, warehouse = case_dirs
    bad.mutate(replay)

    run = run_raw([bad.table], warehouse, replay, instance)

    assert not run.success
    for text in bad.expected:
        assert text in run.error, (text, run.error)
    assert "previous raw data is unchanged" in run.error
    assert raw_rows(warehouse, bad.table) == raw_rows(baseline, bad.table)
    (record,) = quarantine_rows(warehouse)
    assert record["stage"] == bad.stage
    assert record["asset_key"] == f"raw/{bad.table}"
    assert record["source"] == {"fred": "fred", "dts": "fiscal_data", "nyfed": "nyfed", "stooq": "stooq",
                                "treasury": "fiscal_data", "sec": "sec", "coinbase": "coinbase"}[bad.table.split("_")[0]]
    assert any(bad.location in location for location in record["locations"]), record["locations"]
    assert record["reason"] in run.error
    assert record["offending_rows"], "the offending rows are kept"
    if bad.failed_check:
        assert bad.failed_check in record["failed_checks"], record["failed_checks"]
        assert all(row["source_uri"] for row in record["offending_rows"])
    passed, severity, _ = run.checks[(bad.table, "raw_batch_valid")]
    assert passed is False and severity == AssetCheckSeverity.ERROR


def test_fred_dot_mixed_with_real_gaps_is_valid(case_dirs, instance):
    """FRED's "." (older downloads) and an empty value both mean "no observation": kept as null."""
    replay, warehouse = case_dirs
    _replace("fred/DGS10.csv", "2021-06-15,1.47", "2021-06-15,.")(replay)
    _replace("fred/DGS10.csv", "2021-06-16,1.49", "2021-06-16,")(replay)

    run = run_raw([FRED], warehouse, replay, instance)

    assert run.success, run.error
    assert run.checks[(FRED, "raw_batch_valid")][0] is True
    rows = {(r[0], str(r[1])): r[2] for r in raw_rows(warehouse, FRED)}
    assert rows[("DGS10", "2021-06-15")] is None and rows[("DGS10", "2021-06-16")] is None
    assert rows[("DGS10", "2021-06-14")] == 1.45
    assert quarantine_rows(warehouse) == []


def test_a_gap_in_a_weekly_series_is_written_with_a_warning(case_dirs, instance):
    replay, warehouse = case_dirs
    _drop_line("fred/WRESBAL.csv", "2021-06-30")(replay)

    run = run_raw([FRED], warehouse, replay, instance)

    assert run.success, run.error
    passed, severity, metadata = run.checks[(FRED, "raw_batch_valid")]
    assert (passed, severity) == (False, AssetCheckSeverity.WARN)
    assert "weekly WRESBAL data jumps from 2021-06-23 to 2021-07-07 (14 days" in metadata["warnings"].value
    assert quarantine_rows(warehouse) == []


def test_good_data_passes_the_raw_check_and_links_data_docs(baseline, case_dirs, instance):
    replay, warehouse = case_dirs
    run = run_raw([FRED], warehouse, replay, instance)
    passed, _, metadata = run.checks[(FRED, "raw_batch_valid")]
    from assets.funding_flows import FRED_OBSERVATIONS
    from reverse_qe.validation.suites import raw_suite_for

    suite = raw_suite_for(FRED_OBSERVATIONS, date_column="observation_date", as_of=dt.date(2026, 11, 20))
    assert passed is True
    assert metadata["checks_run"].value == len(suite.expectations) + len(suite.batch_checks)
    docs = Path(metadata["data_docs"].path)  # a path, never a file:// link the UI cannot open
    assert docs == warehouse.parent / "gx_docs" / "index.html" and docs.exists()
