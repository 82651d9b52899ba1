"""Conformance on real published files (the corpus of tests/real/corpus.py): each file through the
parser its loader would use, then its raw table's full suite (GX + custom checks) as of today.

What each file must do:

* a publisher-format file of a product the pipeline reads parses and passes (warnings allowed: a
  replay excerpt may skip dates), except these, rejected by the suite for a defect a person would
  agree is one:
  - fred/WRESBAL_DATE_Khagendra01.csv, fred/WRESBAL_DATE_pyoph.csv: older FRED downloads in $bn
    (877.82 for 877,820 $mn); read as $mn they would shrink reserves a thousandfold. Refused by
    WRESBAL's era floors, naming the older $bn download.
  - fred/TREAST_DATE_quarterly_agg_jialis3.csv: FRED's graph aggregated to quarterly averages, dated
    on quarter starts; not the weekly Wednesday levels. Refused by weekly_on_wednesday.
* a publisher-format file of another product (FRED series the pipeline does not read, MSPD's site
  CSV, TreasuryDirect auction-results XML, a 13F cover page, NY Fed reference rates) is refused by
  name: the parser raises SourceFormatError naming the file, or (FRED series) the suite's series rule.
* a DERIVED file (re-serialized, not a publisher's format) is refused with a SourceFormatError whose
  message names the file; none in the corpus is a format that could be read correctly.
"""

from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path

import pytest

from tests.real import corpus

ROOT = corpus.require_corpus()

from reverse_qe.sources.errors import SourceFormatError  # noqa: E402
from reverse_qe.validation.gx import validate_raw_batch  # noqa: E402
from reverse_qe.validation.suites import raw_suite_for  # noqa: E402

FILES = corpus.corpus_files(ROOT)

# Suite rejections expected of publisher files (see the module docstring): failing error checks.
REJECTED = {
    "fred/WRESBAL_DATE_Khagendra01.csv": {"ExpectColumnValuesToBeBetween(value)", "unit_jump"},
    "fred/WRESBAL_DATE_pyoph.csv": {"ExpectColumnValuesToBeBetween(value)"},
    "fred/TREAST_DATE_quarterly_agg_jialis3.csv": {"weekly_on_wednesday"},
    "fred/WDTGAL_observation_date_sphynxkatt0_RECON.csv": {"ExpectColumnValuesToBeInSet(series_id)"},
}
# Parser refusals expected (other products and DERIVED files): a fragment of the reason.
REFUSED = {
    "fiscal_data/mspd_table_1_site_export_linfante995.csv": "site's CSV export of MSPD table 1",
    "treasurydirect/auction_results_R_20220502_1_26W_bill_dharmatech.xml": "document is XML, not JSON",
    "treasurydirect/auction_results_R_20220512_3_30Y_bond_dharmatech.xml": "document is XML, not JSON",
    "nyfed/rates_all_latest_refRates_bwoods1998_RECON.json": "NY Fed reference rates",
    "sec_13f/primary_doc_Everhart_2020Q4_secfilingsearcher.xml": "Form 13F cover page",
    "fred/TREAST_weekly_opxie1_DERIVED.csv": "found 'date,value'",
    "fred/WSHOMCB_weekly_opxie1_DERIVED.csv": "found 'date,value'",
    "fiscal_data/dts_operating_cash_balance_paysonkmorgan_DERIVED.csv": "missing column(s) 'Record Date'",
    "treasurydirect/TA_WS_securities_search_powershell_ExportCsv_dharmatech_DERIVED.csv": "UTF-16",
    "nyfed/sofr_internal_read_endpoint_20210601_henrik-ch_DERIVED.json": "without a repo.operations list",
    "coinbase/BTC-USD_daily_candles_objects_dharmatech_DERIVED.json": "re-serialized export",
}


def _tables() -> dict:
    from assets.funding_flows import (
        DTS_OPERATING_CASH_BALANCE,
        DTS_PUBLIC_DEBT_TRANSACTIONS,
        FRED_OBSERVATIONS,
        NYFED_REVERSE_REPO_OPERATIONS,
    )
    from assets.holdings import SEC13F_INFOTABLE, SEC13F_SUMMARYPAGES
    from assets.issuance import (
        MSPD_DEBT_OUTSTANDING,
        SEC_COMPANYFACTS,
        TREASURY_AUCTIONS,
    )
    from assets.prices import COINBASE_DAILY_CANDLES, STOOQ_DAILY_PRICES

    return {t.name: t for t in (DTS_OPERATING_CASH_BALANCE, DTS_PUBLIC_DEBT_TRANSACTIONS, FRED_OBSERVATIONS,
                                NYFED_REVERSE_REPO_OPERATIONS, SEC13F_INFOTABLE, SEC13F_SUMMARYPAGES, MSPD_DEBT_OUTSTANDING,
                                SEC_COMPANYFACTS, TREASURY_AUCTIONS, COINBASE_DAILY_CANDLES, STOOQ_DAILY_PRICES)}


DATE_COLUMNS = {"fred_observations": "observation_date", "dts_operating_cash_balance": "record_date",
                "dts_public_debt_transactions": "record_date", "mspd_debt_outstanding": "record_date",
                "treasury_auctions": "auction_date", "nyfed_reverse_repo_operations": "operation_date",
                "sec_companyfacts": "filed", "sec13f_infotable": None, "sec13f_summarypages": None, "stooq_daily_prices": "price_date",
                "coinbase_daily_candles": "price_date"}  # as assets/*.py declare them


def test_every_corpus_file_is_classified():
    assert set(FILES) == set(corpus.ENTRIES), "classify new corpus files in tests/real/corpus.py"
    assert set(REJECTED) | set(REFUSED) <= set(FILES)


@pytest.mark.parametrize("relative", FILES)
def test_real_file(relative):
    entry = corpus.ENTRIES[relative]
    path = ROOT / relative
    location = str(path)
    parse = corpus.parser_for(relative)
    if relative in REFUSED:
        with pytest.raises(SourceFormatError) as info:
            parse(path.read_bytes(), location)
        assert info.value.location == location and location in str(info.value)
        assert REFUSED[relative] in str(info.value), str(info.value)
        return
    assert entry.kind != corpus.DERIVED, "a DERIVED file must be refused (or listed as read correctly)"
    frame = parse(path.read_bytes(), location)
    assert len(frame) > 0
    frame = frame.assign(source_mode="replay", source_uri=location)
    suite = raw_suite_for(_tables()[entry.table], date_column=DATE_COLUMNS[entry.table], as_of=dt.date.today())
    outcome = validate_raw_batch(frame, suite)
    failed = {f.check for f in outcome.errors}
    if relative in REJECTED:
        assert failed == REJECTED[relative], outcome.message()
        assert f"[{outcome.source}]" in outcome.message() and path.name in outcome.message()
    else:
        assert outcome.success, outcome.message()


def test_wresbal_billions_download_is_refused_for_its_unit():
    for relative in ("fred/WRESBAL_DATE_pyoph.csv", "fred/WRESBAL_DATE_Khagendra01.csv"):
        path = ROOT / relative
        frame = corpus.parser_for(relative)(path.read_bytes(), str(path)).assign(source_mode="replay", source_uri=str(path))
        outcome = validate_raw_batch(frame, raw_suite_for(_tables()["fred_observations"], date_column="observation_date",
                                                          as_of=dt.date.today()))
        assert "$bn of an older FRED download" in outcome.message()


def test_facts_read_from_real_files():
    """Values checked by hand in the real files (SOURCES.md notes and the lines themselves)."""
    def parse(relative):
        path = ROOT / relative
        return corpus.parser_for(relative)(path.read_bytes(), str(path))

    wtregen = parse("fred/WTREGEN_observation_date_matemadrigal.csv").set_index("observation_date")["value"]
    assert wtregen["2007-01-03"] == 5.027 and wtregen["2025-11-12"] == 953.816  # "5027.000", "953816.000" $mn
    ioer = parse("frb_ddp/PRATES_IOER_IORR_IORB_federalreserve_DDP_Vincizh.csv")
    assert ioer["observation_date"].iloc[[0, -1]].dt.strftime("%Y-%m-%d").tolist() == ["2008-10-09", "2021-07-28"]
    wdtgal = parse("fred/WDTGAL_observation_date_sphynxkatt0_RECON.csv").set_index("observation_date")["value"]
    assert wdtgal["2026-07-22"] == 835417.0  # written "835417.0000000000"
    pdt = parse("fiscal_data/dts_public_debt_transactions_site_export_2021-06-24_2023-12-29.csv")
    negative = pdt[pdt["transaction_today_amt"] < 0]
    assert len(negative) == 446 and set(negative["transaction_type"]) == {"Issues"}
    excerpt = parse("fiscal_data/dts_public_debt_transactions_EXCERPT_site_export.csv")
    bills = excerpt[(excerpt["record_date"] == "2026-06-22") & (excerpt["security_type"] == "Bills")
                    & (excerpt["transaction_type"] == "Issues")]
    assert -4.0 in bills["transaction_today_amt"].tolist()
    mu = parse("stooq/bulk_mu.us.txt")
    assert mu["volume"].iloc[0] == 13259227.295409 and mu["price_date"].iloc[0].strftime("%Y%m%d") == "19890516"
    infotable = parse("sec_13f/infotable_ns1_BardFinancial_2021Q3_secfilingsearcher.xml")
    assert len(infotable) == 278 and infotable["value"].sum() == 1129298  # tableEntryTotal, tableValueTotal of its cover page
    summary = parse("sec_13f/primary_doc_BardFinancial_2021Q3_secfilingsearcher.xml")
    assert summary[["table_entry_total", "table_value_total"]].values.tolist() == [[278, 1129298]]


def test_assemble_replay_dir_copies_publisher_files_under_their_replay_names(tmp_path):
    placed = corpus.assemble_replay_dir(tmp_path)
    plan = corpus.replay_plan(ROOT)
    assert {(s, n) for s, names in placed.items() for n in names} == set(plan)
    for (source, name), relative in plan.items():
        assert corpus.ENTRIES[relative].kind == corpus.PUBLISHER
        assert filecmp.cmp(tmp_path / source / name, ROOT / relative, shallow=False)
    assert sorted(placed["fred"]) == sorted(f"{s}.csv" for s in (
        "BAMLC0A0CM", "BAMLH0A0HYM2", "DGS10", "DGS2", "DGS30", "IOER", "IORB", "NFCI", "RRPONTSYD", "SOFR", "STLFSI4",
        "WALCL", "WRESBAL", "WTREGEN"))
    # the newest vintage with the current header wins
    assert plan[("fred", "BAMLH0A0HYM2.csv")] == "fred/BAMLH0A0HYM2_observation_date_401Alert_3y_window.csv"
    assert plan[("fred", "RRPONTSYD.csv")] == "fred/RRPONTSYD_observation_date_full_qie2003.csv"
    assert plan[("stooq", "aapl.us.csv")] == "stooq/aapl_us_d_jakub-bobrowski.csv"
    assert plan[("stooq", "gme.us.csv")] == "stooq/gme_us_d_rlevy820.csv"
    only = corpus.assemble_replay_dir(tmp_path / "only", {"stooq"})
    assert set(only) == {"stooq"} and not (tmp_path / "only" / "fred").exists()


def test_the_loaders_read_an_assembled_replay_dir(tmp_path):
    """The replay loaders (not just the parsers) on the assembled folder, as a replay run reads it."""
    from reverse_qe.sources.endpoints import Endpoints
    from reverse_qe.sources.funding_flows import load_dts, load_fred
    from reverse_qe.sources.issuance import (
        load_sec_companyfacts,
        load_treasury_auctions,
    )
    from reverse_qe.sources.prices import load_stooq
    from reverse_qe.sources.transports import FileTransport

    placed = corpus.assemble_replay_dir(tmp_path)
    transport, endpoints = FileTransport(tmp_path), Endpoints()
    series = [Path(name).stem for name in placed["fred"]]
    assert set(load_fred(transport, endpoints, series)["series_id"]) == set(series)
    assert len(load_dts(transport, endpoints, "operating_cash_balance")) == 2323 + 12
    assert len(load_dts(transport, endpoints, "public_debt_transactions")) == 15148 + 69
    assert len(load_treasury_auctions(transport, endpoints)) == 7
    assert set(load_sec_companyfacts(transport, endpoints)["cik"]) == {1652044, 1326801, 789019}
    assert set(load_stooq(transport, endpoints)["symbol"]) == {Path(n).stem for n in placed["stooq"]}


def test_every_real_file_is_well_within_the_document_bounds():
    """reverse_qe.sources.limits: each bound holds every real file ten times over."""
    from reverse_qe.sources.limits import check_document, max_document_bytes, max_document_lines

    for path in (p for p in ROOT.rglob("*") if p.is_file()):
        content = path.read_bytes()
        check_document("real", str(path), content)
        assert len(content) * 10 < max_document_bytes() and content.count(b"\n") * 10 < max_document_lines(), path
