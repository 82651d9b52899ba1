"""SEC Form 13F parsers: hand-written data-set TSVs (zipped here) and one information-table XML."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.parsers.sec_13f import (
    INFOTABLE_COLUMNS,
    parse_13f_coverpages,
    parse_13f_infotable,
    parse_13f_infotable_xml,
    parse_13f_submissions,
    parse_13f_summarypages,
)
from tests.conftest import FIXTURES as TESTS_FIXTURES

FIXTURES = TESTS_FIXTURES / "sec_13f"


def zip_folder(folder: Path, replace: dict[str, str] | None = None) -> bytes:
    """The hand-written TSVs of ``folder`` as the SEC ships them: one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("*.tsv")):
            text = (replace or {}).get(path.name, path.read_text(encoding="utf-8"))
            archive.writestr(path.name, text)
    return buffer.getvalue()


def dataset(name: str) -> bytes:
    return zip_folder(FIXTURES / name)


def test_submissions_parse_sec_dates_and_types():
    frame = parse_13f_submissions(dataset("2023q1_form13f"), location="2023q1_form13f.zip")
    assert frame["accession_number"].tolist() == [
        "0000900001-23-000002", "0000900002-23-000001", "0000900002-23-000005",
        "0000900001-23-000009", "0000900003-23-000001"]
    assert frame["filing_date"].dt.date.astype(str).tolist() == [
        "2023-02-10", "2023-02-14", "2023-03-01", "2023-03-03", "2023-02-15"]
    assert (frame["period_of_report"] == pd.Timestamp("2022-12-31")).all()
    assert frame["submission_type"].tolist() == ["13F-HR", "13F-HR", "13F-HR/A", "13F-HR/A", "13F-HR"]
    assert frame["cik"].tolist() == [900001, 900002, 900002, 900001, 900003]


def test_coverpages_carry_both_amendment_types():
    frame = parse_13f_coverpages(dataset("2023q1_form13f"), location="2023q1_form13f.zip").set_index("accession_number")
    assert frame.loc["0000900002-23-000005", "amendment_type"] == "RESTATEMENT"
    assert frame.loc["0000900001-23-000009", "amendment_type"] == "NEW HOLDINGS"
    assert bool(frame.loc["0000900001-23-000009", "is_amendment"]) is True
    assert frame.loc["0000900001-23-000009", "amendment_no"] == 1
    assert frame.loc["0000900001-23-000002", "amendment_type"] is None
    assert bool(frame.loc["0000900001-23-000002", "is_amendment"]) is False
    assert frame.loc["0000900002-23-000001", "filing_manager_name"] == "BETA HEDGE PARTNERS LP"


def test_summary_pages_declare_each_filings_line_count_and_value_total_as_published():
    frame = parse_13f_summarypages(dataset("2023q1_form13f"), location="2023q1_form13f.zip").set_index("accession_number")
    assert frame.loc["0000900001-23-000002", "table_entry_total"] == 4
    assert frame.loc["0000900001-23-000002", "table_value_total"] == 1_840_000  # dollars, as the lines
    older = parse_13f_summarypages(dataset("2022q4_form13f"), location="2022q4_form13f.zip")
    assert older["table_value_total"].tolist() == [1550]  # $ thousands, as the lines (1250 + 300)


def test_a_summary_total_that_is_not_a_whole_number_names_member_and_line():
    text = (FIXTURES / "2023q1_form13f" / "SUMMARYPAGE.tsv").read_text().replace("\t900000\t", "\t900000.5\t")
    with pytest.raises(SourceFormatError, match=r"2023q1_form13f.zip!SUMMARYPAGE.tsv, row 3: column .TABLEVALUETOTAL.: expected a whole number, found 900000.5"):
        parse_13f_summarypages(zip_folder(FIXTURES / "2023q1_form13f", {"SUMMARYPAGE.tsv": text}), location="2023q1_form13f.zip")


def test_infotable_keeps_values_as_published_in_both_units():
    older = parse_13f_infotable(dataset("2022q4_form13f"), location="2022q4_form13f.zip")
    newer = parse_13f_infotable(dataset("2023q1_form13f"), location="2023q1_form13f.zip")
    assert older["value"].tolist() == [1250, 300]  # $ thousands (filed 2022-11-14)
    assert newer["value"].tolist()[:2] == [1_500_000, 200_000]  # dollars (filed 2023-02-10)
    assert newer["value"].dtype == "int64" and newer["sshprnamt"].dtype == "int64"
    assert len(newer) == 8
    options = newer[newer["put_call"].notna()]
    assert options["infotable_sk"].tolist() == [204] and options["put_call"].tolist() == ["Put"]
    assert newer["figi"].isna().sum() == 7
    assert newer.loc[0, "voting_auth_sole"] == 30000


def test_xml_information_table_has_the_data_set_columns():
    path = FIXTURES / "0000900003-23-000001.xml"
    frame = parse_13f_infotable_xml(path.read_bytes(), location=str(path), accession_number="0000900003-23-000001")
    tsv = parse_13f_infotable(dataset("2023q1_form13f"), location="x.zip")
    assert list(frame.columns) == list(tsv.columns)
    assert frame["cusip"].tolist() == ["595112103", "19260Q107"]
    assert frame["value"].tolist() == [2_500_000, 60_000]
    assert frame["sshprnamt"].tolist() == [50000, 1500]
    assert frame["put_call"].tolist() == [None, "Call"]
    assert frame["infotable_sk"].tolist() == [1, 2]


def bad_infotable(line: str) -> SourceFormatError:
    text = (FIXTURES / "2023q1_form13f" / "INFOTABLE.tsv").read_text()
    lines = text.splitlines()
    lines[3] = line
    content = zip_folder(FIXTURES / "2023q1_form13f", {"INFOTABLE.tsv": "\n".join(lines) + "\n"})
    with pytest.raises(SourceFormatError) as info:
        parse_13f_infotable(content, location="bad.zip")
    return info.value


def test_a_thousands_separator_in_value_names_member_and_line():
    error = bad_infotable("0000900001-23-000002\t203\tCOINBASE GLOBAL INC\tCOM CL A\t19260Q107\t\t100,000\t2500\tSH\t\tDFND\t1\t0\t2500\t0")
    assert error.source == "sec_13f" and error.location == "bad.zip!INFOTABLE.tsv" and error.row == 4
    assert "'VALUE'" in str(error) and "100,000" in str(error)


def test_a_bad_cusip_and_an_unknown_put_call_are_rejected_with_their_line():
    error = bad_infotable("0000900001-23-000002\t203\tCOINBASE GLOBAL INC\tCOM CL A\t19260Q10\t\t100000\t2500\tSH\t\tDFND\t1\t0\t2500\t0")
    assert error.row == 4 and "CUSIP" in str(error)
    error = bad_infotable("0000900001-23-000002\t203\tCOINBASE GLOBAL INC\tCOM CL A\t19260Q107\t\t100000\t2500\tSH\tPUT\tDFND\t1\t0\t2500\t0")
    assert error.row == 4 and "PUTCALL" in str(error)


def test_duplicate_infotable_key_is_rejected():
    error = bad_infotable("0000900001-23-000002\t201\tCOINBASE GLOBAL INC\tCOM CL A\t19260Q107\t\t100000\t2500\tSH\t\tDFND\t1\t0\t2500\t0")
    assert error.row == 4 and "duplicate key" in str(error)



LINE_4 = ["0000900001-23-000002", "203", "COINBASE GLOBAL INC", "COM CL A", "19260Q107", "", "100000", "2500",
          "SH", "", "DFND", "1", "0", "2500", "0"]


def line_4(**cells: str) -> str:
    columns = list(INFOTABLE_COLUMNS)
    out = list(LINE_4)
    for column, value in cells.items():
        out[columns.index(column)] = value
    return "\t".join(out)


def test_a_value_beyond_int64_is_a_named_error_at_its_line_not_an_overflow():
    error = bad_infotable(line_4(VALUE="99999999999999999999"))
    assert error.location == "bad.zip!INFOTABLE.tsv" and error.row == 4
    assert "'VALUE'" in str(error) and "64-bit" in str(error)


@pytest.mark.parametrize("column", ["SSHPRNAMT", "VALUE", "VOTING_AUTH_SOLE"])
def test_a_negative_amount_is_reported_at_its_file_line(column):
    error = bad_infotable(line_4(**{column: "-5"}))
    assert error.row == 4 and repr(column) in str(error) and ">= 0" in str(error)


def test_a_tab_inside_an_issuer_name_is_a_wrong_column_count_on_its_line():
    error = bad_infotable(line_4(NAMEOFISSUER="COINBASE\tGLOBAL INC"))
    assert error.row == 4 and "column count is wrong" in str(error) and "found 16" in str(error)
    assert "VALUE" not in str(error)
    error = bad_infotable("\t".join(LINE_4[:-1]))
    assert error.row == 4 and "found 14" in str(error) and "missing" in str(error)


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_field_counts_are_exact_across_chunk_boundaries(monkeypatch, chunk):
    from reverse_qe.sources.parsers import sec_13f

    monkeypatch.setattr(sec_13f, "_FIELD_COUNT_CHUNK", chunk)
    assert len(parse_13f_infotable(dataset("2023q1_form13f"), location="ok.zip")) == 8
    error = bad_infotable(line_4(NAMEOFISSUER="COINBASE\tGLOBAL INC"))
    assert error.row == 4
    text = (FIXTURES / "2023q1_form13f" / "INFOTABLE.tsv").read_text().rstrip("\n") + "\textra"  # last line, no newline
    with pytest.raises(SourceFormatError, match="column count") as info:
        parse_13f_infotable(zip_folder(FIXTURES / "2023q1_form13f", {"INFOTABLE.tsv": text}), location="b.zip")
    assert info.value.row == 9

def test_missing_column_html_and_not_a_zip():
    text = (FIXTURES / "2023q1_form13f" / "SUBMISSION.tsv").read_text().replace("PERIODOFREPORT", "PERIOD")
    with pytest.raises(SourceFormatError, match="lacks column.*PERIODOFREPORT") as info:
        parse_13f_submissions(zip_folder(FIXTURES / "2023q1_form13f", {"SUBMISSION.tsv": text}), location="s.zip")
    assert info.value.row == 1
    with pytest.raises(SourceFormatError, match="HTML page"):
        parse_13f_infotable(b"<html><body>Request Rate Threshold Exceeded</body></html>", location="https://www.sec.gov/x.zip")


def test_amendment_without_type_and_bad_date_are_rejected():
    lines = (FIXTURES / "2023q1_form13f" / "COVERPAGE.tsv").read_text().splitlines()
    lines[3] = lines[3].replace("RESTATEMENT", "")
    with pytest.raises(SourceFormatError, match="AMENDMENTTYPE") as info:
        parse_13f_coverpages(zip_folder(FIXTURES / "2023q1_form13f", {"COVERPAGE.tsv": "\n".join(lines) + "\n"}), location="c.zip")
    assert info.value.row == 4
    text = (FIXTURES / "2023q1_form13f" / "SUBMISSION.tsv").read_text().replace("14-FEB-2023", "2023-02-14")
    with pytest.raises(SourceFormatError, match="31-DEC-2024") as info:
        parse_13f_submissions(zip_folder(FIXTURES / "2023q1_form13f", {"SUBMISSION.tsv": text}), location="s.zip")
    assert info.value.row == 3


def test_xml_errors_name_the_entry():
    path = FIXTURES / "0000900003-23-000001.xml"
    text = path.read_text().replace("<value>60000</value>", "<value>6e4</value>")
    with pytest.raises(SourceFormatError, match="whole number") as info:
        parse_13f_infotable_xml(text.encode(), location="f.xml", accession_number="0000900003-23-000001")
    assert info.value.row == 2
    with pytest.raises(SourceFormatError, match="informationTable"):
        parse_13f_infotable_xml(b"<other/>", location="f.xml", accession_number="0000900003-23-000001")


def test_an_extracted_member_parses_like_the_zip():
    path = FIXTURES / "2023q1_form13f" / "INFOTABLE.tsv"
    extracted = parse_13f_infotable(path.read_bytes(), location=str(path))
    zipped = parse_13f_infotable(dataset("2023q1_form13f"), location="2023q1_form13f.zip")
    pd.testing.assert_frame_equal(extracted.astype(str), zipped.astype(str))


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name: that zip is the point
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


SUBMISSION = (FIXTURES / "2023q1_form13f" / "SUBMISSION.tsv").read_bytes()


@pytest.mark.parametrize("name, fragment", [
    ("../SUBMISSION.tsv", "climbs out of the archive with '..'"),
    ("data/../../SUBMISSION.tsv", "climbs out of the archive with '..'"),
    ("/SUBMISSION.tsv", "has an absolute name"),
    ("C:/SUBMISSION.tsv", "has an absolute name"),
])
def test_a_member_named_outside_the_archive_is_refused(name, fragment):
    content = _zip([("SUBMISSION.tsv", SUBMISSION), (name, b"x")])
    with pytest.raises(SourceFormatError, match=re.escape(fragment)) as err:
        parse_13f_submissions(content, location="/replay/sec_13f/2023q1_form13f.zip")
    assert err.value.location == "/replay/sec_13f/2023q1_form13f.zip" and name in str(err.value)


def test_two_members_of_one_name_are_refused_not_the_last_read():
    content = _zip([("SUBMISSION.tsv", SUBMISSION), ("SUBMISSION.tsv", SUBMISSION)])
    with pytest.raises(SourceFormatError, match=r"2023q1_form13f\.zip: two members are named 'SUBMISSION\.tsv'"):
        parse_13f_submissions(content, location="2023q1_form13f.zip")


def test_one_member_name_in_two_folders_is_read_once_if_they_agree_else_refused_naming_both():
    same = _zip([("a/SUBMISSION.tsv", SUBMISSION), ("b/SUBMISSION.tsv", SUBMISSION)])
    assert len(parse_13f_submissions(same, location="2023q1_form13f.zip")) == len(
        parse_13f_submissions(dataset("2023q1_form13f"), location="2023q1_form13f.zip"))
    other = SUBMISSION.replace(b"13F-HR", b"13F-NT", 1)
    assert other != SUBMISSION
    differ = _zip([("a/SUBMISSION.tsv", SUBMISSION), ("b/SUBMISSION.tsv", other)])
    with pytest.raises(SourceFormatError, match=r"two members named SUBMISSION\.tsv disagree: 'a/SUBMISSION\.tsv' "
                                                r"and 'b/SUBMISSION\.tsv' differ"):
        parse_13f_submissions(differ, location="2023q1_form13f.zip")


def test_a_small_zip_inflating_past_the_bound_is_refused_naming_the_file(monkeypatch):
    from reverse_qe.sources.parsers import sec_13f

    bomb = _zip([("INFOTABLE.tsv", b"\t" * 5_000_000)])
    assert len(bomb) < 50_000
    monkeypatch.setattr(sec_13f, "MAX_MEMBER_BYTES", 1_000_000)
    monkeypatch.setattr(sec_13f, "MAX_INFLATION_RATIO", 10_000)  # the size bound alone
    with pytest.raises(SourceFormatError, match=r"bomb_form13f\.zip!INFOTABLE\.tsv: .*more than 1,000,000 bytes"):
        parse_13f_infotable(bomb, location="bomb_form13f.zip")


def test_a_member_inflating_more_than_the_ratio_is_refused_unread():
    bomb = _zip([("INFOTABLE.tsv", b"0" * 20_000_000)])
    with pytest.raises(SourceFormatError, match=r"bomb\.zip!INFOTABLE\.tsv: declares 20,000,000 bytes from .* "
                       r"more than 100 times"):
        parse_13f_infotable(bomb, location="bomb.zip")


def test_a_member_inflating_past_its_declared_size_is_an_error_not_read_on():
    honest = _zip([("INFOTABLE.tsv", b"0" * 1000)])
    liar = honest.replace((1000).to_bytes(4, "little"), (10).to_bytes(4, "little"))  # sizes in both headers
    with pytest.raises(SourceFormatError, match=r"INFOTABLE\.tsv: .*(cannot be inflated|more than)"):
        parse_13f_infotable(liar, location="liar.zip")
