"""Fund-holdings loaders: SEC Form 13F data-set zips (and single-filing information-table XML).

Replay / scenario layout: ``sec_13f/<name>_form13f.zip`` (as downloaded from the SEC), or the
same data set extracted into ``sec_13f/<name>_form13f/`` (SUBMISSION.tsv, ...), and
``sec_13f/<ACCESSION_NUMBER>.xml`` (one filing's information table). Live: the data sets named in
``RQE_SEC_13F_DATASETS`` (comma-separated zip names from the SEC's "Form 13F Data Sets" page),
fetched with the ``User-Agent`` the SEC requires (``RQE_SEC_USER_AGENT``) within its 10 requests a
second, once a day: the three loaders share today's landing copy. Each reads only its own member.
"""

from __future__ import annotations

import io
import logging
import os
import zipfile
from pathlib import Path
from typing import Callable, Iterator, Sequence

import pandas as pd

from reverse_qe.partitions import DATASET_SUFFIX, dataset_partition_key
from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.funding_flows import Transport, _concat, with_lineage
from reverse_qe.sources.issuance import SEC_LIMITER, sec_user_agent
from reverse_qe.sources.limits import max_dataset_zip_bytes
from reverse_qe.sources.parsers.sec_13f import (
    MAX_MEMBER_BYTES,
    member_bytes,
    parse_13f_coverpages,
    parse_13f_infotable,
    parse_13f_infotable_xml,
    parse_13f_submissions,
)
from reverse_qe.sources.transports import Document, HttpTransport, SourceFetchError

SOURCE = "sec_13f"
logger = logging.getLogger(__name__)
DATASET_PATTERN = "*_form13f.zip"


def dataset_names_from_env() -> list[str]:
    names = [n.strip() for n in os.environ.get("RQE_SEC_13F_DATASETS", "").split(",") if n.strip()]
    if not names:
        raise SourceFetchError(
            "[sec_13f] live mode needs RQE_SEC_13F_DATASETS: comma-separated data-set zip names, "
            "e.g. 01sep2025-30nov2025_form13f.zip (see sec.gov 'Form 13F Data Sets')")
    return names


def _complete_zip(content: bytes, location: str) -> str | None:
    """A data set is a zip whose central directory (at its very end) is there: else it was cut short."""
    if zipfile.is_zipfile(io.BytesIO(content)):
        return None
    return (f"not a complete zip archive ({len(content):,} bytes, no end-of-central-directory record: "
            f"a truncated download or an error page; starts with {bytes(content[:40])!r})")


def fetch_dataset(transport: HttpTransport, endpoints: Endpoints, name: str) -> Document:
    """One data-set zip: today's landing copy when an earlier asset of the run fetched it already
    (SUBMISSION, COVERPAGE and INFOTABLE share one zip of ~100 MB), else a download."""
    url = f"{endpoints.sec_13f}/{name}"
    landed = transport.landed(SOURCE, name)
    if landed is not None and zipfile.is_zipfile(landed):
        return Document(SOURCE, name, url, landed.read_bytes())
    return transport.get(SOURCE, name, url, headers={"User-Agent": sec_user_agent()}, limiter=SEC_LIMITER,
                         check=_complete_zip, max_bytes=max_dataset_zip_bytes())


def dataset_keys(transport: Transport) -> list[str]:
    """The data sets there are: named in ``RQE_SEC_13F_DATASETS`` (live), else the zips and extracted
    folders in the source folder (names only: nothing is read)."""
    if isinstance(transport, HttpTransport):
        return [dataset_partition_key(name) for name in dataset_names_from_env()]
    folder = transport.root / SOURCE
    return sorted({dataset_partition_key(p.name) for p in folder.glob(DATASET_PATTERN)}
                  | {p.name for p in folder.glob(f"*{DATASET_SUFFIX}") if p.is_dir()}
                  | {p.stem for p in folder.glob("*.xml")})  # a single filing's information table is a key too


def _is_single_filing(transport: Transport, key: str) -> bool:
    """A key naming one filing's information-table XML (``<accession>.xml``), not a data set."""
    return not isinstance(transport, HttpTransport) and (transport.root / SOURCE / f"{key}.xml").is_file()


def dataset_documents(transport: Transport, endpoints: Endpoints, member: str,
                      datasets: Sequence[str] | None = None) -> Iterator[Document]:
    """The data-set zips (live, or files), or in file modes the extracted ``member`` files, of the
    ``datasets`` keys (None: all there are), each read when the iteration reaches it. A single
    filing's key has no ``member`` (its XML is its information table alone)."""
    keys = dataset_keys(transport) if datasets is None else list(datasets)
    found, filings = 0, 0
    for key in keys:
        if _is_single_filing(transport, key):
            filings += 1
            continue
        if isinstance(transport, HttpTransport):
            documents = [fetch_dataset(transport, endpoints, f"{key}.zip")]
        else:
            documents = _zip_or_folder(
                transport.glob(SOURCE, f"{key}.zip", required=False, max_bytes=max_dataset_zip_bytes()),
                transport.glob(SOURCE, f"{key}/{member}", required=False, max_bytes=MAX_MEMBER_BYTES), member)
            if datasets is not None and not documents:
                raise SourceFetchError(f"[{SOURCE}] data set {key} not found in {transport.root / SOURCE}: "
                                       f"expected {key}.zip or {key}/{member}")
        found += len(documents)
        yield from documents
    if not found and not filings:
        raise SourceFetchError(f"[{SOURCE}] no data set in {getattr(transport, 'root', 'the landing folder')}/{SOURCE}: "
                               f"expected {DATASET_PATTERN} files or extracted folders *_form13f/{member}")


def _zip_or_folder(zipped: list[Document], extracted: list[Document], member: str) -> list[Document]:
    """A data set both as its zip and as the extracted folder: the zip is read when its ``member``
    agrees byte for byte with the folder's; else neither, and the error names both."""
    if not zipped or not extracted:
        return zipped + extracted
    (archive,), (folder,) = zipped, extracted
    if member_bytes(archive.content, archive.location, member) != folder.content:
        raise SourceFormatError(SOURCE, archive.location,
                                f"the data set is here twice and they disagree: {member} of this zip differs "
                                f"from {folder.location}; keep one of the two")
    logger.info("[%s] %s and its extracted folder hold the same %s: reading the zip, not %s",
                SOURCE, archive.location, member, folder.location)
    return zipped


def batch_lines(environ=os.environ) -> int:
    """Lines after which a 13F batch of whole data sets is handed on (``RQE_13F_BATCH_LINES``): a
    real quarter (~3M lines, ~2 GiB through ingest) is a batch of its own, and the scenario's small
    data sets gather into few batches."""
    return int(environ.get("RQE_13F_BATCH_LINES", "2000000"))


def _concat_infotables(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if len(frames) == 1:
        return frames[0]
    # categories differ per file: concatenating as categoricals of the union keeps it lean
    frame = pd.concat(frames, ignore_index=True)
    for column in frame.columns:
        if frame[column].dtype == object and column not in ("source_mode", "source_uri"):
            frame[column] = frame[column].astype("category")
    return frame


def _dataset_batches(parse: Callable[..., pd.DataFrame], member: str, transport: Transport, endpoints: Endpoints,
                     datasets: Sequence[str] | None, concat: Callable[[list[pd.DataFrame]], pd.DataFrame] = _concat,
                     max_lines: int | None = None) -> Iterator[pd.DataFrame]:
    """Parsed frames of whole data sets, read one at a time and gathered until they hold
    ``max_lines`` lines (``batch_lines()`` when None): a batch is at most that plus one data set, and
    no data set is read before the batch before it is handed on."""
    budget = batch_lines() if max_lines is None else max_lines
    group: list[pd.DataFrame] = []
    lines = 0
    for d in dataset_documents(transport, endpoints, member, datasets):
        group.append(with_lineage(parse(d.content, location=d.location), d, transport.mode))
        lines += len(group[-1])
        if lines >= budget:
            yield concat(group)
            group, lines = [], 0
    if group:
        yield concat(group)


def iter_13f_submissions(transport: Transport, endpoints: Endpoints, datasets: Sequence[str] | None = None,
                         max_lines: int | None = None) -> Iterator[pd.DataFrame]:
    """SUBMISSION rows of ``datasets`` (or all), in batches of whole data sets (``_dataset_batches``)."""
    return _dataset_batches(parse_13f_submissions, "SUBMISSION.tsv", transport, endpoints, datasets,
                            max_lines=max_lines)


def iter_13f_coverpages(transport: Transport, endpoints: Endpoints, datasets: Sequence[str] | None = None,
                        max_lines: int | None = None) -> Iterator[pd.DataFrame]:
    """COVERPAGE rows of ``datasets`` (or all), in batches of whole data sets (``_dataset_batches``)."""
    return _dataset_batches(parse_13f_coverpages, "COVERPAGE.tsv", transport, endpoints, datasets,
                            max_lines=max_lines)


def iter_13f_infotable(transport: Transport, endpoints: Endpoints, datasets: Sequence[str] | None = None,
                       max_lines: int | None = None) -> Iterator[pd.DataFrame]:
    """INFOTABLE rows of ``datasets`` (or all), in batches of whole data sets (``_dataset_batches``),
    then in file modes one batch of the single-filing XML tables, which belong to no data set."""
    yield from _dataset_batches(parse_13f_infotable, "INFOTABLE.tsv", transport, endpoints, datasets,
                                concat=_concat_infotables, max_lines=max_lines)
    if not isinstance(transport, HttpTransport):
        filings = [with_lineage(parse_13f_infotable_xml(d.content, location=d.location,
                                                        accession_number=Path(d.name).stem), d, transport.mode)
                   for d in transport.glob(SOURCE, "*.xml", required=False)]
        if filings:
            yield _concat(filings)


def load_13f_submissions(transport: Transport, endpoints: Endpoints) -> pd.DataFrame:
    return _concat(iter_13f_submissions(transport, endpoints))


def load_13f_coverpages(transport: Transport, endpoints: Endpoints) -> pd.DataFrame:
    return _concat(iter_13f_coverpages(transport, endpoints))


def load_13f_infotable(transport: Transport, endpoints: Endpoints) -> pd.DataFrame:
    """INFOTABLE rows of every data set, plus single-filing XML tables in file modes, as one frame."""
    return _concat_infotables(list(iter_13f_infotable(transport, endpoints)))
