"""SEC XBRL companyfacts: year-to-date 10-Q facts, a 10-K, an amendment, a quarter with no borrowing."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.parsers.sec_companyfacts import COLUMNS, parse_companyfacts
from tests.conftest import FIXTURES as TESTS_FIXTURES

FILE = TESTS_FIXTURES / "sec" / "CIK0001326801.json"
CAPEX = "PaymentsToAcquirePropertyPlantAndEquipment"
DEBT = "ProceedsFromIssuanceOfLongTermDebt"
TAGS = (CAPEX, DEBT, "RepaymentsOfLongTermDebt", "PaymentsToAcquireProductiveAssets")


def parse(content: bytes | None = None, tags=TAGS) -> pd.DataFrame:
    return parse_companyfacts(content or FILE.read_bytes(), location="CIK0001326801.json", tags=tags)


def mutated(change) -> bytes:
    payload = json.loads(FILE.read_bytes())
    change(payload)
    return json.dumps(payload).encode()


def test_only_requested_usd_duration_facts_are_read():
    frame = parse()
    assert list(frame.columns) == list(COLUMNS)
    assert sorted(frame["tag"].unique()) == [CAPEX, DEBT]  # tags never reported give no rows
    assert (frame["cik"] == 1326801).all() and (frame["entity_name"] == "Meta Platforms, Inc.").all()
    assert len(frame) == 8 + 3


def test_year_to_date_10q_facts_10k_and_amendment_as_published():
    capex = parse().query("tag == @CAPEX").set_index(["period_end", "accn"])["value_usd"]
    q1 = pd.Timestamp("2024-03-31")
    assert capex[(q1, "0001326801-24-000049")] == 6.40e9  # first filed 10-Q
    assert capex[(q1, "0001326801-24-000061")] == 6.45e9  # the 10-Q/A restates it
    assert capex[(pd.Timestamp("2024-09-30"), "0001326801-24-000081")] == 24.08e9  # 9 months YTD
    assert capex[(pd.Timestamp("2024-12-31"), "0001326801-25-000017")] == 37.26e9  # 10-K full year
    forms = parse().query("tag == @CAPEX")["form"].value_counts().to_dict()
    assert forms == {"10-Q": 5, "10-K": 2, "10-Q/A": 1}
    amendment = parse().query("form == '10-Q/A'").iloc[0]
    assert amendment["filed"] == pd.Timestamp("2024-06-14") and amendment["fiscal_period"] == "Q1"


def test_a_quarter_with_no_borrowing_has_no_fact():
    debt = parse().query("tag == @DEBT")
    assert sorted(debt["period_end"].dt.date.astype(str)) == ["2023-12-31", "2024-09-30", "2024-12-31"]


def test_identical_repeats_are_kept_once_and_conflicts_rejected():
    def repeat(payload):
        facts = payload["facts"]["us-gaap"][DEBT]["units"]["USD"]
        facts.append(dict(facts[1]))
    assert len(parse(mutated(repeat)).query("tag == @DEBT")) == 3

    def conflict(payload):
        facts = payload["facts"]["us-gaap"][DEBT]["units"]["USD"]
        facts.append({**facts[1], "val": 1})
    with pytest.raises(SourceFormatError, match=r"accession 0001326801-24-000081 reports the period 2024-01-01\.\.2024-09-30 twice"):
        parse(mutated(conflict))


@pytest.mark.parametrize("change, message, row", [
    (lambda p: p["facts"]["us-gaap"][CAPEX]["units"]["USD"][4].__setitem__("val", "14870000000"),
     r"units\.USD\[4\]: 'val' must be a JSON number, found string", 4),
    (lambda p: p["facts"]["us-gaap"][CAPEX]["units"]["USD"][2].pop("start"),
     r"units\.USD\[2\]: missing field\(s\) 'start' \(a cash-flow fact covers a period", 2),
    (lambda p: p["facts"]["us-gaap"][CAPEX]["units"]["USD"][1].__setitem__("filed", "2024/04/25"),
     r"units\.USD\[1\]: 'filed' must be a date as YYYY-MM-DD", 1),
    (lambda p: p["facts"]["us-gaap"][DEBT]["units"]["USD"][0].__setitem__("form", "annual"),
     r"'form' must be a filing type", 0),
    (lambda p: p["facts"]["us-gaap"][DEBT].pop("units"),
     r"facts\.us-gaap\.ProceedsFromIssuanceOfLongTermDebt: expected an object with 'units'", None),
])
def test_malformed_facts_name_file_tag_and_row(change, message, row):
    with pytest.raises(SourceFormatError, match=r"\[sec\] CIK0001326801\.json.*" + message) as err:
        parse(mutated(change))
    assert err.value.row == row


def test_not_a_companyfacts_document():
    with pytest.raises(SourceFormatError, match="expected an SEC companyfacts object"):
        parse(b'{"cik": 1326801}')
    with pytest.raises(SourceFormatError, match="invalid JSON"):
        parse(FILE.read_bytes()[:-10])
