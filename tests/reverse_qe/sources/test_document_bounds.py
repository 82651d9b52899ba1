"""Every reader is bounded: an oversized or inflating document is refused, naming source and file,
before a parser builds anything from it. Each case runs the real loader in a fresh interpreter and
measures its peak memory (``ru_maxrss``) beyond what the imports took."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.limits import (
    check_document,
    max_document_bytes,
    max_document_lines,
)
from tests.conftest import FIXTURES, REPO

# What a refused document may cost beyond the imports: the bytes of a document under the bound, at most.
MEMORY_BOUND_MB = 150

MEASURE = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from reverse_qe.sources import funding_flows, holdings
    from reverse_qe.sources.endpoints import Endpoints
    from reverse_qe.sources.errors import SourceFormatError
    from reverse_qe.sources.transports import FileTransport
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    transport = FileTransport(Path(sys.argv[1]))
    load = {"fred": lambda: funding_flows.load_fred(transport, Endpoints.from_env(), ["WALCL"]),
            "13f": lambda: holdings.load_13f_infotable(transport, Endpoints.from_env())}[sys.argv[2]]
    try:
        load()
        error = None
    except SourceFormatError as err:
        error = {"source": err.source, "location": err.location, "message": str(err)}
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"error": error, "extra_mb": (after - before) / 1024}))
""")


def measure(root: Path, loader: str) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(root), loader], cwd=REPO, capture_output=True,
                         text=True, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_an_oversized_csv_is_refused_by_its_size_unread(tmp_path):
    (tmp_path / "fred").mkdir()
    line = b"2020-01-01,7000000\n"
    with open(tmp_path / "fred" / "WALCL.csv", "wb") as handle:  # 114 MB, as in the finding
        handle.write(b"observation_date,WALCL\n")
        for _ in range(114):
            handle.write(line * (1_000_000 // len(line)))
    result = measure(tmp_path, "fred")
    assert result["error"]["source"] == "fred" and result["error"]["location"].endswith("fred/WALCL.csv")
    assert "RQE_MAX_DOCUMENT_BYTES" in result["error"]["message"] and "before reading" in result["error"]["message"]
    assert result["extra_mb"] < MEMORY_BOUND_MB, result


def test_a_csv_of_too_many_lines_is_refused_before_it_is_split(tmp_path):
    (tmp_path / "fred").mkdir()
    rows = max_document_lines() + 10
    (tmp_path / "fred" / "WALCL.csv").write_bytes(b"observation_date,WALCL\n" + b"2020-01-01,1\n" * rows)
    result = measure(tmp_path, "fred")
    assert "RQE_MAX_DOCUMENT_LINES" in result["error"]["message"], result
    # ~13 MB of bytes read; split into rows it would have been ~1 GB of Python lists
    assert result["extra_mb"] < MEMORY_BOUND_MB, result


def test_a_zip_bomb_is_refused_unread_within_bounded_memory(tmp_path):
    folder = tmp_path / "sec_13f"
    folder.mkdir()
    with zipfile.ZipFile(folder / "2023q1_form13f.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("SUBMISSION.tsv", "COVERPAGE.tsv", "SUMMARYPAGE.tsv"):  # a whole data set but for its information table
            archive.write(FIXTURES / "sec_13f" / "2023q1_form13f" / name, name)
        with archive.open("INFOTABLE.tsv", "w", force_zip64=True) as member:  # 1 GiB of zeros, ~1 MB zipped
            block = b"0" * (16 * 1024 * 1024)
            for _ in range(64):
                member.write(block)
    assert (folder / "2023q1_form13f.zip").stat().st_size < 2_000_000
    result = measure(tmp_path, "13f")
    assert result["error"]["location"].endswith("2023q1_form13f.zip!INFOTABLE.tsv"), result
    assert "100 times" in result["error"]["message"]
    assert result["extra_mb"] < MEMORY_BOUND_MB, result


def test_the_bounds_are_overridable_by_env(monkeypatch):
    monkeypatch.setenv("RQE_MAX_DOCUMENT_BYTES", "10")
    with pytest.raises(SourceFormatError, match="11 bytes, more than the 10"):
        check_document("fred", "x.csv", b"a,b\n1,2\n3,4")
    monkeypatch.setenv("RQE_MAX_DOCUMENT_BYTES", "ten")
    with pytest.raises(ValueError, match="RQE_MAX_DOCUMENT_BYTES"):
        max_document_bytes()

