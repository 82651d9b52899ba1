"""A source a replay directory does not hold (no folder), or that RQE_SOURCES leaves out, is not
provided: a warning and a status row, never a failure. An empty folder is still an error."""

import shutil

import pytest

from reverse_qe.settings import enabled_sources
from reverse_qe.sources import SOURCES
from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.funding_flows import load_fred
from reverse_qe.sources.transports import (
    FileTransport,
    SourceFetchError,
    SourceNotProvided,
)
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures"


def test_no_folder_means_not_provided(tmp_path):
    with pytest.raises(SourceNotProvided, match=r"\[nyfed\] not provided: no folder .*nyfed"):
        FileTransport(tmp_path).glob("nyfed", "reverse_repo*.json")


def test_a_folder_with_other_tables_files_leaves_this_table_not_provided(tmp_path):
    (tmp_path / "fiscal_data").mkdir()
    (tmp_path / "fiscal_data" / "dts_operating_cash_balance.csv").write_text("x")
    with pytest.raises(SourceNotProvided, match="not provided for 'auctions_query\\*.json'.*dts_operating"):
        FileTransport(tmp_path).glob("fiscal_data", "auctions_query*.json")


def test_an_empty_folder_is_an_error_not_a_missing_source(tmp_path):
    (tmp_path / "fred").mkdir()
    with pytest.raises(SourceFetchError, match="is empty") as caught:
        FileTransport(tmp_path).glob("fred", "WALCL.csv")
    assert not isinstance(caught.value, SourceNotProvided)


def test_fred_reads_the_series_it_has_and_lists_the_others(tmp_path):
    shutil.copytree(FIXTURES / "fred", tmp_path / "fred")
    for series in ("THREEFYTP10", "IOER"):
        (tmp_path / "fred" / f"{series}.csv").unlink()
    frame = load_fred(FileTransport(tmp_path), Endpoints.from_env())
    # the fixtures hold no NFCI subindex nor ANFCI (no real download of them: tests/fixtures/SOURCES.md)
    assert frame.attrs["not_provided"] == ["THREEFYTP10", "IOER", "NFCIRISK", "NFCICREDIT", "NFCILEVERAGE", "ANFCI"]
    assert "WALCL" in set(frame["series_id"]) and "IOER" not in set(frame["series_id"])


def test_fred_without_any_series_is_not_provided(tmp_path):
    (tmp_path / "fred").mkdir()
    (tmp_path / "fred" / "README.txt").write_text("downloads go here")
    with pytest.raises(SourceNotProvided, match="no file for any series"):
        load_fred(FileTransport(tmp_path), Endpoints.from_env())


def test_rqe_sources_names_known_sources_only():
    assert enabled_sources("") is None
    assert enabled_sources(" FRED, fiscal_data ") == frozenset({"fred", "fiscal_data"})
    with pytest.raises(ValueError, match="unknown source\\(s\\) h41: the sources are fred, fiscal_data"):
        enabled_sources("fred,h41")
    # every replay folder of the fixtures is a source (real_excerpts holds parser test files, no source)
    assert set(SOURCES) >= {p.name for p in FIXTURES.iterdir() if p.is_dir()} - {"real_excerpts"}


def test_only_errors_a_later_try_can_mend_are_transient():
    import duckdb

    from reverse_qe.ingest import is_transient

    assert is_transient(SourceFetchError("[fred] GET ... failed after 5 attempts: HTTP 503", transient=True))
    assert not is_transient(SourceFetchError("[fred] GET ... answered HTTP 404"))
    assert not is_transient(SourceNotProvided("fred", "[fred] not provided"))
    assert is_transient(ConnectionResetError("peer reset"))
    assert is_transient(duckdb.IOException('Could not set lock on file "w.duckdb": Conflicting lock is held'))
    assert not is_transient(duckdb.IOException("No such file or directory"))
    assert not is_transient(FileNotFoundError("seeds/hyperscaler_financings.csv"))
    assert not is_transient(OverflowError("int too large to convert"))
