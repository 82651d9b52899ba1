"""13F data sets are read, validated and written in batches of whole data sets up to a line budget
(about one real quarter), so a backfill of many needs the memory of one batch: the loaders read a
data set only when its turn comes, and a bad batch stops the run with the batches before it written
whole and itself quarantined."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, materialize

from assets.holdings import holdings_assets
from assets.partitions import sec_13f_dataset_partitions
from reverse_qe.partitions import partition_range_tags
from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.holdings import iter_13f_infotable, load_13f_infotable
from reverse_qe.sources.transports import FileTransport, SourceFetchError
from tests.conftest import FIXTURES
from tests.harness import resources

DATASETS = ["2022q4_form13f", "2023q1_form13f"]
TABLES = ("sec13f_submissions", "sec13f_coverpages", "sec13f_summarypages", "sec13f_infotable")


@pytest.fixture
def replay(tmp_path) -> Path:
    root = tmp_path / "replay"
    shutil.copytree(FIXTURES / "sec_13f", root / "sec_13f")
    return root


def _uris(frame) -> set[str]:
    return {Path(uri).parent.name if uri.endswith(".tsv") else Path(uri).name for uri in frame["source_uri"].unique()}


def test_loaders_batch_whole_requested_data_sets_within_the_line_budget_then_the_single_filings(replay):
    transport = FileTransport(replay, mode="replay")
    frames = list(iter_13f_infotable(transport, Endpoints.from_env(), datasets=["2023q1_form13f"]))
    assert [_uris(f) for f in frames] == [{"2023q1_form13f"}, {"0000900003-23-000001.xml"}]

    together = list(iter_13f_infotable(transport, Endpoints.from_env()))  # 2 + 8 lines: one batch
    assert [_uris(f) for f in together] == [set(DATASETS), {"0000900003-23-000001.xml"}]
    apart = list(iter_13f_infotable(transport, Endpoints.from_env(), max_lines=2))  # the first fills one
    assert [_uris(f) for f in apart] == [{"2022q4_form13f"}, {"2023q1_form13f"}, {"0000900003-23-000001.xml"}]
    assert [_uris(f) for f in iter_13f_infotable(transport, Endpoints.from_env(), max_lines=3)] == [
        set(DATASETS), {"0000900003-23-000001.xml"}]  # 2 lines are not yet 3: the next joins them
    assert len(load_13f_infotable(transport, Endpoints.from_env())) == sum(len(f) for f in apart)


def test_a_data_set_is_read_only_when_its_turn_comes(replay):
    batches = iter_13f_infotable(FileTransport(replay, mode="replay"), Endpoints.from_env(), datasets=DATASETS,
                                 max_lines=1)
    assert _uris(next(batches)) == {"2022q4_form13f"}
    shutil.rmtree(replay / "sec_13f" / "2023q1_form13f")  # not read yet, so its absence shows now
    with pytest.raises(SourceFetchError, match="data set 2023q1_form13f not found"):
        next(batches)


def _run(replay: Path, warehouse: Path, instance: DagsterInstance):
    instance.add_dynamic_partitions(sec_13f_dataset_partitions.name, DATASETS)
    return materialize(holdings_assets, resources=resources(warehouse, replay), instance=instance,
                       raise_on_error=False, tags=partition_range_tags(DATASETS[0], DATASETS[-1]))


def test_a_backfill_writes_each_data_set_and_reports_them_as_one_materialisation(replay, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with DagsterInstance.ephemeral() as instance:
        result = _run(replay, warehouse, instance)
        assert result.success
        infotable = next(m for m in result.asset_materializations_for_node("raw__sec13f_datasets")
                         if m.asset_key.path == ["raw", "sec13f_infotable"])
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute("select count(*) from raw.sec13f_infotable").fetchone()[0]
    assert rows == infotable.metadata["rows_in_batch"].value == infotable.metadata["dagster/row_count"].value
    assert rows == 2 + 8 + len(list(iter_13f_infotable(FileTransport(replay, mode="replay"), Endpoints.from_env()))[-1])
    assert {Path(u).parent.name for u in infotable.metadata["documents"].value if u.endswith(".tsv")} == set(DATASETS)


def test_a_bad_data_set_stops_the_run_after_the_good_batches_before_it_are_written(replay, tmp_path, monkeypatch):
    monkeypatch.setenv("RQE_13F_BATCH_LINES", "1")  # one data set per batch
    infotable = replay / "sec_13f" / "2023q1_form13f" / "INFOTABLE.tsv"
    lines = infotable.read_text().splitlines(keepends=True)
    infotable.write_text("".join(lines + lines[1:2]))  # a repeated (accession, infotable_sk) key
    warehouse = tmp_path / "w.duckdb"
    with DagsterInstance.ephemeral() as instance:
        result = _run(replay, warehouse, instance)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure and "sec13f" in e.step_key)
    assert "2023q1_form13f/INFOTABLE.tsv" in failure.step_failure_data.user_failure_data.description
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        written = {table: {Path(u).parent.name for (u,) in conn.execute(
            f"select distinct source_uri from raw.{table}").fetchall()} for table in TABLES}
        quarantined = conn.execute("select count(*) from raw.quarantine where asset_key = 'raw/sec13f_infotable'").fetchone()[0]
    assert written == {table: {"2022q4_form13f"} for table in TABLES} and quarantined == 1  # the set, whole


def test_a_folder_of_single_filings_alone_is_read_one_filing_per_key(tmp_path):
    """Real downloads may be one filing's information-table XML, with no quarterly data set: each
    file is a partition key of its own, the data-set tables have nothing for it, the XML is read."""

    from reverse_qe.sources.holdings import dataset_keys, iter_13f_submissions

    (tmp_path / "sec_13f").mkdir()
    shutil.copy(FIXTURES / "sec_13f" / "0000900003-23-000001.xml", tmp_path / "sec_13f")
    transport = FileTransport(tmp_path, mode="replay")
    assert dataset_keys(transport) == ["0000900003-23-000001"]
    assert list(iter_13f_submissions(transport, Endpoints.from_env(), datasets=["0000900003-23-000001"])) == []
    (frame,) = iter_13f_infotable(transport, Endpoints.from_env(), datasets=["0000900003-23-000001"])
    assert set(frame["accession_number"]) == {"0000900003-23-000001"} and len(frame) > 0


def test_a_single_filings_cover_page_beside_its_information_table_is_one_key_with_all_four_tables(tmp_path):
    """EDGAR's primary_doc.xml saved as ``<accession>.primary_doc.xml``: the filing's submission,
    cover page and summary page rows (what its VALUE unit is checked against) come with its lines."""
    from reverse_qe.sources.holdings import dataset_keys, iter_13f_datasets

    real = FIXTURES / "real_excerpts" / "sec_13f"
    accession = "0001850858-21-000001"
    (tmp_path / "sec_13f").mkdir()
    shutil.copy(real / "infotable_ns1_BardFinancial_2021Q3_first2.xml", tmp_path / "sec_13f" / f"{accession}.xml")
    shutil.copy(real / "primary_doc_BardFinancial_2021Q3.xml", tmp_path / "sec_13f" / f"{accession}.primary_doc.xml")
    transport = FileTransport(tmp_path, mode="replay")
    assert dataset_keys(transport) == [accession]
    (batch,) = iter_13f_datasets(transport, Endpoints.from_env(), datasets=[accession])
    assert set(batch) == {"sec13f_submissions", "sec13f_coverpages", "sec13f_summarypages", "sec13f_infotable"}
    assert batch["sec13f_summarypages"]["table_value_total"].tolist() == [1129298]
    assert set(batch["sec13f_infotable"]["accession_number"]) == {accession}
    assert batch["sec13f_submissions"]["source_uri"].iloc[0].endswith(f"{accession}.primary_doc.xml")


def _zip_beside_its_folder(replay: Path, name: str) -> Path:
    folder = replay / "sec_13f" / name
    return Path(shutil.make_archive(str(folder), "zip", root_dir=folder))


def test_a_data_set_both_zipped_and_extracted_is_read_once_from_the_zip_when_they_agree(replay):
    _zip_beside_its_folder(replay, "2023q1_form13f")
    transport = FileTransport(replay, mode="replay")
    frame = load_13f_infotable(transport, Endpoints.from_env())
    assert not frame.duplicated(["accession_number", "infotable_sk"]).any()
    assert "2023q1_form13f.zip" in _uris(frame) and "2023q1_form13f" not in _uris(frame)


def test_a_data_set_both_zipped_and_extracted_that_disagree_is_an_error_naming_both(replay):
    from reverse_qe.sources.errors import SourceFormatError

    _zip_beside_its_folder(replay, "2023q1_form13f")
    infotable = replay / "sec_13f" / "2023q1_form13f" / "INFOTABLE.tsv"
    lines = infotable.read_text().split("\n")
    infotable.write_text("\n".join(lines[:-2] + lines[-1:]))  # the extracted copy lost a line
    with pytest.raises(SourceFormatError) as err:
        load_13f_infotable(FileTransport(replay, mode="replay"), Endpoints.from_env())
    assert err.value.location.endswith("sec_13f/2023q1_form13f.zip")
    assert "INFOTABLE.tsv of this zip differs from" in str(err.value)
    assert str(infotable) in str(err.value)



def _tables(warehouse: Path) -> dict[str, set[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return {table: {Path(u).parent.name if u.endswith(".tsv") else Path(u).name.split("!")[0] for (u,) in conn.execute(
            f"select distinct source_uri from raw.{table}").fetchall()} for table in TABLES}


def test_a_data_set_without_its_information_table_writes_none_of_its_tables(replay, tmp_path, monkeypatch):
    """A half data set (SUBMISSION and COVERPAGE without INFOTABLE) used to write its submissions
    and cover pages and reject only the information table: now the whole set is quarantined."""
    monkeypatch.setenv("RQE_13F_BATCH_LINES", "1")
    (replay / "sec_13f" / "2023q1_form13f" / "INFOTABLE.tsv").unlink()
    warehouse = tmp_path / "w.duckdb"
    with DagsterInstance.ephemeral() as instance:
        result = _run(replay, warehouse, instance)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "lacks INFOTABLE.tsv" in failure.step_failure_data.user_failure_data.description
    assert _tables(warehouse) == {table: {"2022q4_form13f"} for table in TABLES}
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        quarantined = conn.execute("select asset_key, stage, reason from raw.quarantine order by 1").fetchall()
    assert [k for k, _, _ in quarantined] == [f"raw/{t}" for t in sorted(TABLES)]
    assert all(stage == "parse" and "2023q1_form13f" in reason for _, stage, reason in quarantined)


def test_a_zip_without_its_information_table_writes_none_of_its_tables(replay, tmp_path):
    folder = replay / "sec_13f" / "2023q1_form13f"
    (folder / "INFOTABLE.tsv").unlink()
    shutil.make_archive(str(folder), "zip", root_dir=folder)
    shutil.rmtree(folder)
    warehouse = tmp_path / "w.duckdb"
    with DagsterInstance.ephemeral() as instance:
        result = _run(replay, warehouse, instance)
    assert not result.success
    assert all(not rows for rows in _tables(warehouse).values())  # one batch: nothing of either data set


def test_a_failed_validation_of_one_table_writes_none_of_the_set(replay, tmp_path, monkeypatch):
    """The set is validated whole before one transaction writes it: a cover page dated in the
    future (a validation failure, not a parse error) keeps the submissions and holdings out too."""
    monkeypatch.setenv("RQE_13F_BATCH_LINES", "1")
    cover = replay / "sec_13f" / "2023q1_form13f" / "COVERPAGE.tsv"
    cover.write_text(cover.read_text().replace("31-DEC-2022", "31-DEC-2099"))
    warehouse = tmp_path / "w.duckdb"
    with DagsterInstance.ephemeral() as instance:
        result = _run(replay, warehouse, instance)
    assert not result.success
    assert _tables(warehouse) == {table: {"2022q4_form13f"} for table in TABLES}


def test_rows_of_another_data_set_are_refused_by_their_accession(replay):
    """A data set's identity: each cover page and holding belongs to a filing of its SUBMISSION.tsv."""
    from reverse_qe.sources.errors import SourceFormatError
    from reverse_qe.sources.holdings import iter_13f_datasets

    infotable = replay / "sec_13f" / "2023q1_form13f" / "INFOTABLE.tsv"
    infotable.write_text(infotable.read_text().replace("0000900001-23-000002", "0000999999-23-000001"))
    with pytest.raises(SourceFormatError, match="0000999999-23-000001 .* is no filing of this data set's SUBMISSION.tsv") as err:
        list(iter_13f_datasets(FileTransport(replay, mode="replay"), Endpoints.from_env(), datasets=["2023q1_form13f"]))
    assert err.value.location.endswith("2023q1_form13f/INFOTABLE.tsv") and err.value.row == 2
