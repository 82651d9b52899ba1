"""Writers of the security-map sources in their published formats: the SEC's list of 13(f)
securities as its text file (fixed columns, docs in ``reverse_qe.sources.parsers.sec_13f_list``), and
OpenFIGI exchanges as live mode lands them (the request with its time, the answer as served)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Iterable, NamedTuple

from reverse_qe.sources.securities import REQUEST_SUFFIX, list_file_name

from .common import write_file

LINE_WIDTH = 80
_STATUS_MARKS = {None: "", "ADDED": "*A*", "DELETED": "*D*"}


class ListedSecurity(NamedTuple):
    cusip: str
    issuer_name: str
    issuer_description: str
    has_options: bool = False
    status: str | None = None


def list_line(security: ListedSecurity) -> str:
    """One 80-column line: CUSIP 0-8, options mark 9, name 10-37, description 40-55, status 67-69."""
    line = (f"{security.cusip:9}{'*' if security.has_options else ' '}{security.issuer_name[:28]:28}  "
            f"{security.issuer_description[:16]:16}{'':11}{_STATUS_MARKS[security.status]:3}")
    return f"{line:{LINE_WIDTH}}"


def write_13f_list(out_dir: Path, quarter_end: dt.date, securities: Iterable[ListedSecurity]) -> Path:
    text = "".join(list_line(s) + "\n" for s in sorted(securities))
    return write_file(out_dir / "sec_13f_list" / list_file_name(quarter_end), text)


def write_openfigi_exchange(out_dir: Path, name: str, fetched_at: dt.datetime, cusips: list[str],
                            results: list[dict]) -> None:
    """One request of jobs and OpenFIGI's answer (``results``: one per job, in order)."""
    jobs = [{"idType": "ID_CUSIP", "idValue": cusip} for cusip in cusips]
    folder = out_dir / "openfigi"
    write_file(folder / f"{name}{REQUEST_SUFFIX}", json.dumps({"fetched_at": fetched_at.isoformat(), "jobs": jobs}, indent=1))
    write_file(folder / f"{name}.json", json.dumps(results))
