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
import os
import zipfile
from pathlib import Path
from typing import Callable

import pandas as pd

from assets.sources.endpoints import Endpoints
from assets.sources.funding_flows import Transport, _concat, with_lineage
from assets.sources.issuance import SEC_LIMITER, sec_user_agent
from assets.sources.parsers.sec_13f import (
    parse_13f_coverpages, parse_13f_infotable, parse_13f_infotable_xml, parse_13f_submissions,
)
from assets.sources.transports import Document, HttpTransport, SourceFetchError

SOURCE = "sec_13f"
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
                         check=_complete_zip)


def dataset_documents(transport: Transport, endpoints: Endpoints, member: str) -> list[Document]:
    """The data-set zips (live, or files), or in file modes the extracted ``member`` files."""
    if isinstance(transport, HttpTransport):
        return [fetch_dataset(transport, endpoints, name) for name in dataset_names_from_env()]
    documents = transport.glob(SOURCE, DATASET_PATTERN, required=False)
    documents += transport.glob(SOURCE, f"*_form13f/{member}", required=False)
    if not documents:
        raise SourceFetchError(f"[{SOURCE}] no data set in {transport.root / SOURCE}: expected "
                               f"{DATASET_PATTERN} files or extracted folders *_form13f/{member}")
    return documents


def _from_datasets(parse: Callable[..., pd.DataFrame], member: str, transport: Transport, endpoints: Endpoints) -> pd.DataFrame:
    return _concat(with_lineage(parse(d.content, location=d.location), d, transport.mode)
                   for d in dataset_documents(transport, endpoints, member))


def load_13f_submissions(transport: Transport, endpoints: Endpoints) -> pd.DataFrame:
    return _from_datasets(parse_13f_submissions, "SUBMISSION.tsv", transport, endpoints)


def load_13f_coverpages(transport: Transport, endpoints: Endpoints) -> pd.DataFrame:
    return _from_datasets(parse_13f_coverpages, "COVERPAGE.tsv", transport, endpoints)


def load_13f_infotable(transport: Transport, endpoints: Endpoints) -> pd.DataFrame:
    """INFOTABLE rows of every data set, plus single-filing XML tables in file modes."""
    frames = [with_lineage(parse_13f_infotable(d.content, location=d.location), d, transport.mode)
              for d in dataset_documents(transport, endpoints, "INFOTABLE.tsv")]
    if not isinstance(transport, HttpTransport):
        for d in transport.glob(SOURCE, "*.xml", required=False):
            parsed = parse_13f_infotable_xml(d.content, location=d.location, accession_number=Path(d.name).stem)
            frames.append(with_lineage(parsed, d, transport.mode))
    if len(frames) == 1:
        return frames[0]
    # categories differ per file: concatenating as categoricals of the union keeps it lean
    frame = pd.concat(frames, ignore_index=True)
    for column in frame.columns:
        if frame[column].dtype == object and column not in ("source_mode", "source_uri"):
            frame[column] = frame[column].astype("category")
    return frame
