"""The share below which a whole document's rows count as a fall (thresholds.DOCUMENT_ROWS_FALL_SHARE),
on real FRED downloads of one series saved at different dates: each pair is parsed as the loader
would and compared as raw.document_rows records of two runs would be."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.real import corpus

ROOT = corpus.require_corpus()

from reverse_qe.document_rows import falling_documents  # noqa: E402
from reverse_qe.sources.parsers.fred import parse_fred_csv  # noqa: E402
from reverse_qe.thresholds import DOCUMENT_ROWS_FALL_SHARE  # noqa: E402

# (series, the earlier download, the later one, reported as a fall?)
PAIRS = [
    ("BAMLH0A0HYM2", "BAMLH0A0HYM2_observation_date_matemadrigal.csv",
     "BAMLH0A0HYM2_observation_date_401Alert_3y_window.csv", True),  # FRED's ICE cut to three years
    ("BAMLC0A0CM", "BAMLC0A0CM_observation_date_chatterjee.csv",
     "BAMLC0A0CM_observation_date_3y_window_Vincizh.csv", True),  # the same cut
    ("BAMLH0A0HYM2", "BAMLH0A0HYM2_DATE_dotmissing_Khagendra01.csv",
     "BAMLH0A0HYM2_observation_date_401Alert_3y_window.csv", False),  # 5 years from 2019, then the 3 years
    ("WALCL", "WALCL_observation_date_matemadrigal.csv", "WALCL_observation_date_full_qie2003.csv", False),
    ("RRPONTSYD", "RRPONTSYD_observation_date_matemadrigal.csv", "RRPONTSYD_observation_date_full_qie2003.csv", False),
    ("SOFR", "SOFR_DATE_dotmissing_PytelAdam.csv", "SOFR_observation_date_qie2003.csv", False),
]


def rows(name: str, series: str) -> int:
    path = ROOT / "fred" / name
    return len(parse_fred_csv(path.read_bytes(), location=str(path), series_id=series))


@pytest.mark.parametrize(("series", "earlier", "later", "falls"), PAIRS, ids=[f"{p[0]}:{p[2]}" for p in PAIRS])
def test_a_later_real_download_falls_only_when_the_publisher_cut_the_document(series, earlier, later, falls):
    before, now = rows(earlier, series), rows(later, series)
    records = pd.DataFrame([{"batch_id": f"run-{n}", "document_key": series, "location": name, "source_mode": "replay",
                             "requested_from": None, "rows_yielded": count, "last_date": None,
                             "recorded_at": dt.datetime(2026, 11, 1 + n)}
                            for n, (name, count) in enumerate([(earlier, before), (later, now)])])
    found = falling_documents(records, DOCUMENT_ROWS_FALL_SHARE)
    assert (not found.empty) == falls, (series, before, now)
