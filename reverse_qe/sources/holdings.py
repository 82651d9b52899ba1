"""Fund-holdings loaders: SEC Form 13F data-set zips (and single-filing information-table XML).

Replay / scenario layout: ``sec_13f/<name>_form13f.zip`` (as downloaded from the SEC), or the
same data set extracted into ``sec_13f/<name>_form13f/`` (SUBMISSION.tsv, COVERPAGE.tsv,
SUMMARYPAGE.tsv, INFOTABLE.tsv), and single filings: ``sec_13f/<ACCESSION_NUMBER>.xml`` (one
filing's information table) with, optionally, ``sec_13f/<ACCESSION_NUMBER>.primary_doc.xml`` (its
cover page, as EDGAR names it: period, filer, amendment type and the summary page's totals). Live: the data sets named in
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

import numpy as np
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
    parse_13f_primary_doc,
    parse_13f_submissions,
    parse_13f_summarypages,
)
from reverse_qe.sources.transports import Document, HttpTransport, SourceFetchError

SOURCE = "sec_13f"
logger = logging.getLogger(__name__)
DATASET_PATTERN = "*_form13f.zip"
COVER_SUFFIX = ".primary_doc.xml"  # a single filing's cover page beside its information table


def filing_key(file_name: str) -> str:
    """``<accession>.xml`` or ``<accession>.primary_doc.xml`` -> ``<accession>``."""
    return file_name.removesuffix(COVER_SUFFIX).removesuffix(".xml")


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
                  | {filing_key(p.name) for p in folder.glob("*.xml")})  # a single filing is a key too


def _is_single_filing(transport: Transport, key: str) -> bool:
    """A key naming one filing's information-table XML (``<accession>.xml``), not a data set."""
    folder = transport.root / SOURCE if not isinstance(transport, HttpTransport) else None
    return folder is not None and any((folder / f"{key}{suffix}").is_file() for suffix in (".xml", COVER_SUFFIX))


# The tables of one data set, each from its member: read and written together, or not at all.
# SUMMARYPAGE is a member too: its declared value total is what each filing's VALUE unit is
# checked against, so a data set without it is as incomplete as one without its information table.
SUBMISSIONS, COVERPAGES, SUMMARYPAGES, INFOTABLE = (
    "sec13f_submissions", "sec13f_coverpages", "sec13f_summarypages", "sec13f_infotable")
MEMBERS: dict[str, tuple[str, Callable[..., pd.DataFrame]]] = {
    SUBMISSIONS: ("SUBMISSION.tsv", parse_13f_submissions),
    COVERPAGES: ("COVERPAGE.tsv", parse_13f_coverpages),
    SUMMARYPAGES: ("SUMMARYPAGE.tsv", parse_13f_summarypages),
    INFOTABLE: ("INFOTABLE.tsv", parse_13f_infotable),
}
DocumentSet = dict[str, pd.DataFrame]  # raw table name -> its rows of the batch


def _dataset_members(transport: Transport, endpoints: Endpoints, key: str, required: bool) -> dict[str, Document]:
    """Each member's document of data set ``key``: its zip (live, or a file) for every member, or
    the extracted folder's files. A folder lacking a member is an error naming it: the data set is
    then not written at all (its other tables neither)."""
    if isinstance(transport, HttpTransport):
        archive = fetch_dataset(transport, endpoints, f"{key}.zip")
        return {table: archive for table in MEMBERS}
    zipped = transport.glob(SOURCE, f"{key}.zip", required=False, max_bytes=max_dataset_zip_bytes())
    folder = transport.root / SOURCE / key
    if not zipped and not folder.is_dir():
        if required:
            raise SourceFetchError(f"[{SOURCE}] data set {key} not found in {transport.root / SOURCE}: "
                                   f"expected {key}.zip or {key}/{MEMBERS[SUBMISSIONS][0]}")
        return {}
    documents = {}
    for table, (member, _) in MEMBERS.items():
        extracted = transport.glob(SOURCE, f"{key}/{member}", required=False, max_bytes=MAX_MEMBER_BYTES)
        if not zipped and not extracted:
            present = sorted(p.name for p in folder.iterdir())
            raise SourceFormatError(SOURCE, str(folder), (
                f"the data set lacks {member} (it holds {', '.join(present) or 'nothing'}): a data set is "
                f"written whole or not at all, so none of its tables ({', '.join(MEMBERS)}) is written"))
        (documents[table],) = _zip_or_folder(zipped, extracted, member)
    return documents


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


def check_accessions(frames: DocumentSet, documents: dict[str, Document]) -> None:
    """A data set's identity: every cover page and information-table line belongs to a filing of
    its SUBMISSION.tsv (the SEC's data sets key all three on ACCESSION_NUMBER). The error names the
    member and the file line of the first stranger."""
    filed = set(frames[SUBMISSIONS]["accession_number"])
    for table in (COVERPAGES, SUMMARYPAGES, INFOTABLE):
        accessions = frames[table]["accession_number"]
        strangers = _not_in(accessions, filed)
        if strangers.any():
            i = int(strangers.argmax())
            member, location = MEMBERS[table][0], documents[table].location
            raise SourceFormatError(SOURCE, f"{location}!{member}" if location.endswith(".zip") else location, (
                f"accession number {accessions.iat[i]} ({int(strangers.sum())} line(s) in all) is no filing of "
                f"this data set's {MEMBERS[SUBMISSIONS][0]}: the members are of different data sets"), row=i + 2)


def _not_in(values: pd.Series, allowed: set[str]) -> np.ndarray:
    """Which of ``values`` (as text; an empty one is none of ``allowed``) are not in ``allowed``. A
    categorical column (the information table's 3M lines) is looked up once per distinct value."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        known = values.cat.categories.astype(str).isin(allowed)
        return (codes < 0) | ~known[codes]
    return ~values.astype(str).isin(allowed).to_numpy()


def read_dataset(documents: dict[str, Document], mode: str) -> DocumentSet:
    """The four tables of one data set, parsed, lineage-tagged and checked to be of one data set."""
    frames = {table: with_lineage(parse(documents[table].content, location=documents[table].location),
                                  documents[table], mode)
              for table, (_, parse) in MEMBERS.items()}
    check_accessions(frames, documents)
    return frames


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


def _gathered(sets: list[DocumentSet]) -> DocumentSet:
    return {table: (_concat_infotables if table == INFOTABLE else _concat)([s[table] for s in sets])
            for table in MEMBERS}


def iter_13f_datasets(transport: Transport, endpoints: Endpoints, datasets: Sequence[str] | None = None,
                      max_lines: int | None = None) -> Iterator[DocumentSet]:
    """The ``datasets`` keys (None: all there are), each read whole (its four members) when the
    iteration reaches it, in batches gathered until their information tables hold ``max_lines``
    lines (``batch_lines()`` when None): a batch is at most that plus one data set. Then, in file
    modes, one batch of the single-filing XML tables (information table only: no data set)."""
    budget = batch_lines() if max_lines is None else max_lines
    keys = dataset_keys(transport) if datasets is None else list(datasets)
    group: list[DocumentSet] = []
    lines = found = filings = 0
    for key in keys:
        if _is_single_filing(transport, key):
            filings += 1
            continue
        documents = _dataset_members(transport, endpoints, key, required=datasets is not None)
        if not documents:
            continue
        found += 1
        group.append(read_dataset(documents, transport.mode))
        lines += len(group[-1][INFOTABLE])
        if lines >= budget:
            yield _gathered(group)
            group, lines = [], 0
    if group:
        yield _gathered(group)
    if not found and not filings:
        raise SourceFetchError(f"[{SOURCE}] no data set in {getattr(transport, 'root', 'the landing folder')}/{SOURCE}: "
                               f"expected {DATASET_PATTERN} files or extracted folders *_form13f/")
    if not isinstance(transport, HttpTransport):
        xml = transport.glob(SOURCE, "*.xml", required=False)  # the run's partitions select their rows
        if xml:
            yield read_single_filings(xml, transport.mode)


def read_single_filings(documents: list[Document], mode: str) -> DocumentSet:
    """Single filings' information tables and cover pages, as one batch: the information-table
    lines, and where a cover page is there, its SUBMISSION, COVERPAGE and SUMMARYPAGE rows."""
    tables = [d for d in documents if not d.name.endswith(COVER_SUFFIX)]
    covers = [d for d in documents if d.name.endswith(COVER_SUFFIX)]
    batch: DocumentSet = {}
    if tables:
        batch[INFOTABLE] = _concat([with_lineage(parse_13f_infotable_xml(
            d.content, location=d.location, accession_number=filing_key(Path(d.name).name)), d, mode) for d in tables])
    parsed = [(d, parse_13f_primary_doc(d.content, location=d.location, accession_number=filing_key(Path(d.name).name)))
              for d in covers]
    for table in (SUBMISSIONS, COVERPAGES, SUMMARYPAGES):
        if parsed:
            batch[table] = _concat([with_lineage(frames[table], d, mode) for d, frames in parsed])
    return batch


def _one_table(table: str, transport: Transport, endpoints: Endpoints, datasets: Sequence[str] | None,
               max_lines: int | None) -> Iterator[pd.DataFrame]:
    for batch in iter_13f_datasets(transport, endpoints, datasets, max_lines):
        if table in batch:
            yield batch[table]


def iter_13f_submissions(transport: Transport, endpoints: Endpoints, datasets: Sequence[str] | None = None,
                         max_lines: int | None = None) -> Iterator[pd.DataFrame]:
    """SUBMISSION rows of ``datasets`` (or all), in the batches of :func:`iter_13f_datasets`."""
    return _one_table(SUBMISSIONS, transport, endpoints, datasets, max_lines)


def iter_13f_coverpages(transport: Transport, endpoints: Endpoints, datasets: Sequence[str] | None = None,
                        max_lines: int | None = None) -> Iterator[pd.DataFrame]:
    """COVERPAGE rows of ``datasets`` (or all), in the batches of :func:`iter_13f_datasets`."""
    return _one_table(COVERPAGES, transport, endpoints, datasets, max_lines)


def iter_13f_infotable(transport: Transport, endpoints: Endpoints, datasets: Sequence[str] | None = None,
                       max_lines: int | None = None) -> Iterator[pd.DataFrame]:
    """INFOTABLE rows of ``datasets`` (or all), in the batches of :func:`iter_13f_datasets`, then in
    file modes one batch of the single-filing XML tables."""
    return _one_table(INFOTABLE, transport, endpoints, datasets, max_lines)


def load_13f_submissions(transport: Transport, endpoints: Endpoints) -> pd.DataFrame:
    return _concat(iter_13f_submissions(transport, endpoints))


def load_13f_coverpages(transport: Transport, endpoints: Endpoints) -> pd.DataFrame:
    return _concat(iter_13f_coverpages(transport, endpoints))


def load_13f_summarypages(transport: Transport, endpoints: Endpoints) -> pd.DataFrame:
    return _concat(_one_table(SUMMARYPAGES, transport, endpoints, None, None))


def load_13f_infotable(transport: Transport, endpoints: Endpoints) -> pd.DataFrame:
    """INFOTABLE rows of every data set, plus single-filing XML tables in file modes, as one frame."""
    return _concat_infotables(list(iter_13f_infotable(transport, endpoints)))
