"""OpenFIGI mapping answers: one result per job in order; found, not found, failed; malformed answers
named by location and job."""

from __future__ import annotations

import json

import pytest

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.parsers.openfigi import parse_openfigi_mapping

URL = "https://api.openfigi.com/v3/mapping"
AAPL = {"figi": "BBG000B9XRY4", "name": "APPLE INC", "ticker": "AAPL", "exchCode": "US", "marketSector": "Equity",
        "securityType": "Common Stock", "securityType2": "Common Stock"}


def _parse(answer, cusips):
    return parse_openfigi_mapping(json.dumps(answer).encode(), location=URL, cusips=cusips)


def test_found_not_found_and_failed_jobs():
    other_listing = {**AAPL, "figi": "BBG000B9Y5X2", "exchCode": "UN"}
    answer = _parse([{"data": [other_listing, AAPL]}, {"warning": "No identifier found."}, {"error": "Invalid idValue"}],
                    ["037833100", "Z99999990", "BAD"])
    assert answer.rows.to_dict("records") == [
        {"cusip": "037833100", "status": "found", "figi": "BBG000B9XRY4", "figi_name": "APPLE INC", "ticker": "AAPL",
         "exch_code": "US", "market_sector": "Equity", "security_type": "Common Stock", "security_type2": "Common Stock"},
        {"cusip": "Z99999990", "status": "not_found", "figi": None, "figi_name": None, "ticker": None, "exch_code": None,
         "market_sector": None, "security_type": None, "security_type2": None}]
    assert answer.failed == {"BAD": "Invalid idValue"}


@pytest.mark.parametrize(("answer", "message"), [
    ({"error": "Too many jobs"}, "expected a JSON array with one result per job, found object \\('Too many jobs'\\)"),
    ([{"data": [AAPL]}], r"1 result\(s\) for 2 job\(s\)"),
    ([{"data": [AAPL]}, {"data": []}], r"row 1: 'data' must be a non-empty array"),
    ([{"data": [AAPL]}, {"result": 1}], r"row 1: the job's result has none of 'data', 'warning' or 'error'"),
    ([{"data": [AAPL]}, "x"], r"row 1: expected the job's result to be a JSON object, found string"),
])
def test_a_malformed_answer_names_source_location_and_job(answer, message):
    with pytest.raises(SourceFormatError, match=rf"\[openfigi\] {URL}.*{message}"):
        _parse(answer, ["037833100", "594918104"])
