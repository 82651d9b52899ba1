"""Parser for SEC XBRL company facts (``data.sec.gov/api/xbrl/companyfacts/CIK##########.json``).

The document: ``{"cik": 1326801, "entityName": "...", "facts": {"us-gaap": {<tag>: {"label": ...,
"units": {"USD": [{"start": "2025-01-01", "end": "2025-06-30", "val": 123, "accn": "...",
"fy": 2025, "fp": "Q2", "form": "10-Q", "filed": "2025-07-31", "frame": "CY2025Q2"}]}}}}}``.

Only the requested us-gaap tags in USD are read, one row per fact as published: 10-Q cash-flow
facts are year-to-date and a filing repeats earlier periods as comparatives; decumulation and the
choice of filing happen downstream. A tag the company never reported is simply absent (no rows).
Errors: source "sec", row = the fact's index in its ``units.USD`` list (the message names the tag).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import pandas as pd

from reverse_qe.sources.parsers._common import (
    Doc,
    decode_text,
    document_parser,
    json_type,
    load_json,
)

SOURCE = "sec"
TAXONOMY = "us-gaap"
UNIT = "USD"
FORMS = re.compile(r"(10-Q|10-K|10-KT|10-QT|8-K|20-F|40-F|6-K)(/A)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FISCAL_PERIOD = ("FY", "Q1", "Q2", "Q3", "Q4", "H1", "H2")
KEY = ("cik", "tag", "period_start", "period_end", "accn")
COLUMNS = ("cik", "entity_name", "tag", "period_start", "period_end", "value_usd", "accn",
           "fiscal_year", "fiscal_period", "form", "filed", "frame")


@document_parser(SOURCE)
def parse_companyfacts(content: bytes, *, location: str, tags: Iterable[str],
                       expected_cik: int | None = None, expected_as: str = "") -> pd.DataFrame:
    """The duration facts of ``tags`` (us-gaap, USD) as rows with the columns in ``COLUMNS``.

    ``expected_cik``, when given, is the company the document must be about (its file name
    ``CIK##########.json``, or the request): another ``cik`` inside is refused, naming both
    (``expected_as`` says where the expected one comes from), never published as the wrong company.

    Dates are datetime64; ``value_usd`` float; ``fiscal_year`` nullable Int64. A fact repeated
    identically (same tag, period and accession number) is kept once; the same key with another
    value is an error.
    """
    doc = Doc(SOURCE, location)
    payload = load_json(decode_text(content, doc, kind="JSON"), doc)
    if not isinstance(payload, dict) or not isinstance(payload.get("facts"), dict):
        found = json_type(payload) + (" without a 'facts' object" if isinstance(payload, dict) else "")
        doc.fail(f"expected an SEC companyfacts object with 'cik' and 'facts', found {found}")
    cik = _cik(payload.get("cik"), doc)
    name = payload.get("entityName")
    if not isinstance(name, str):
        doc.fail(f"'entityName': expected a string, found {json_type(name)}")
    if expected_cik is not None and cik != expected_cik:
        doc.fail(f"the document is about CIK {cik:010d} ({name}), not CIK {expected_cik:010d}"
                 f"{f' ({expected_as})' if expected_as else ''}: another company's facts under this name")
    gaap = payload["facts"].get(TAXONOMY, {})
    if not isinstance(gaap, dict):
        doc.fail(f"facts[{TAXONOMY!r}]: expected an object of tags, found {json_type(gaap)}")
    records: list[tuple] = []
    for tag in tags:
        if tag not in gaap:
            continue
        records.extend(_tag_rows(gaap[tag], tag, cik, name, doc))
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    for column in ("period_start", "period_end", "filed"):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype("datetime64[ns]")
    frame["value_usd"] = frame["value_usd"].astype("float64")
    frame["cik"] = frame["cik"].astype("int64")
    frame["fiscal_year"] = frame["fiscal_year"].astype("Int64")
    return _dedupe(frame, doc)


def _cik(value: Any, doc: Doc) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    doc.fail(f"'cik': expected a positive whole number, found {json_type(value)} {value!r}")


def _tag_rows(fact: Any, tag: str, cik: int, name: str, doc: Doc) -> list[tuple]:
    where = f"facts.{TAXONOMY}.{tag}"
    units = fact.get("units") if isinstance(fact, dict) else None
    if not isinstance(units, dict):
        doc.fail(f"{where}: expected an object with 'units', found {json_type(fact)}")
    values = units.get(UNIT, [])
    if not isinstance(values, list):
        doc.fail(f"{where}.units.{UNIT}: expected a list of facts, found {json_type(values)}")
    rows = []
    for i, item in enumerate(values):
        at = f"{where}.units.{UNIT}[{i}]"
        if not isinstance(item, dict):
            doc.fail(f"{at}: expected a fact object, found {json_type(item)}", row=i)
        missing = [k for k in ("start", "end", "val", "accn", "form", "filed") if k not in item]
        if missing:
            hint = " (a cash-flow fact covers a period: it needs a start)" if missing == ["start"] else ""
            doc.fail(f"{at}: missing field(s) {', '.join(map(repr, missing))}{hint}", row=i)
        start, end, filed = (_date(item[k], k, at, i, doc) for k in ("start", "end", "filed"))
        if start > end:
            doc.fail(f"{at}: start {start} is after end {end}", row=i)
        val = item["val"]
        if isinstance(val, bool) or not isinstance(val, (int, float)):
            doc.fail(f"{at}: 'val' must be a JSON number, found {json_type(val)} {val!r}", row=i)
        accn, form = item["accn"], item["form"]
        if not isinstance(accn, str) or not re.fullmatch(r"\d{10}-\d{2}-\d{6}", accn):
            doc.fail(f"{at}: 'accn' must look like 0001326801-25-000054, found {accn!r}", row=i)
        if not isinstance(form, str) or not FORMS.fullmatch(form):
            doc.fail(f"{at}: 'form' must be a filing type such as 10-Q, 10-K or 10-Q/A, "
                     f"found {form!r}", row=i)
        fy, fp, frame = item.get("fy"), item.get("fp"), item.get("frame")
        if fy is not None and (isinstance(fy, bool) or not isinstance(fy, int)):
            doc.fail(f"{at}: 'fy' must be a whole number or null, found {fy!r}", row=i)
        if fp is not None and fp not in _FISCAL_PERIOD:
            doc.fail(f"{at}: 'fp' must be one of {', '.join(_FISCAL_PERIOD)} or null, found {fp!r}",
                     row=i)
        if frame is not None and not isinstance(frame, str):
            doc.fail(f"{at}: 'frame' must be a string, found {json_type(frame)}", row=i)
        rows.append((cik, name, tag, start, end, float(val), accn, fy, fp, form, filed, frame))
    return rows


def _date(value: Any, key: str, at: str, row: int, doc: Doc) -> str:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        doc.fail(f"{at}: {key!r} must be a date as YYYY-MM-DD, found {value!r}", row=row)
    try:
        pd.Timestamp(value)
    except ValueError:
        doc.fail(f"{at}: {key!r} is not a calendar date: {value!r}", row=row)
    return value


def _dedupe(frame: pd.DataFrame, doc: Doc) -> pd.DataFrame:
    """Drop exact repeats; a key reported twice with different values is an error."""
    frame = frame.drop_duplicates(subset=[*KEY, "value_usd"], keep="first").reset_index(drop=True)
    clash = frame.duplicated(subset=list(KEY), keep=False)
    if clash.any():
        first = frame[clash].iloc[0]
        doc.fail(f"facts.{TAXONOMY}.{first['tag']}: accession {first['accn']} reports the period "
                 f"{first['period_start'].date()}..{first['period_end'].date()} twice with "
                 f"different values ({', '.join(f'{v:g}' for v in frame[clash & (frame['tag'] == first['tag'])]['value_usd'])})")
    return frame
