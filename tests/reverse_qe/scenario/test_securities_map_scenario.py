"""The scenario's security universe: real CUSIPs with their check digits, a synthetic tail no real
issuer code can collide with, and the lists and OpenFIGI answers it writes read by the real parsers."""

from __future__ import annotations

import datetime as dt

from reverse_qe.scenario.securities_map import (
    REAL_SECURITIES,
    universe_securities,
    write_security_map,
)
from reverse_qe.sources.parsers.sec_13f_list import check_digit, parse_13f_list
from reverse_qe.sources.securities import load_openfigi
from reverse_qe.sources.transports import FileTransport


def test_every_cusip_of_the_universe_has_a_valid_check_digit_and_the_tail_is_apart():
    cusips, names = universe_securities(400)
    assert len(cusips) == len(set(cusips)) == 400
    assert all(check_digit(c[:8]) == c[8] for c in cusips)
    tail = cusips[len(REAL_SECURITIES):]
    assert all(c.startswith("Z") for c in tail) and not any(r.cusip.startswith("Z") for r in REAL_SECURITIES)
    assert all("SYNTHETIC" in n for n in names[len(REAL_SECURITIES):])


def test_the_written_lists_and_answers_read_with_the_real_parsers(tmp_path):
    periods = [dt.date(2023, 12, 31), dt.date(2024, 3, 31), dt.date(2024, 6, 30)]
    write_security_map(tmp_path, periods=periods, taxonomy_names={"595112103": "MICRON TECHNOLOGY INC"},
                       n_synthetic=300, end=dt.date(2024, 5, 15))
    lists = sorted((tmp_path / "sec_13f_list").iterdir())
    assert [p.name for p in lists] == ["13flist2023q4.txt", "13flist2024q1.txt"]  # 2024q2 had not ended
    before, after = (set(parse_13f_list(p.read_bytes(), location=str(p))["cusip"]) for p in lists)
    assert after - before == {"46438F101", "389375106", "315948109"}  # spot bitcoin funds, from 2024
    answers = load_openfigi(FileTransport(tmp_path, mode="scenario"), None)
    assert len(answers) == 301 and set(answers["status"]) == {"found", "not_found"}
    unknown = set(answers.loc[answers["status"] == "not_found", "cusip"]) - after
    assert unknown and all(c.startswith("Z") for c in unknown)  # known to neither source: unmapped
