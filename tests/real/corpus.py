"""The real-download corpus: where it is, what each file is, how the loader would parse it, and where
it goes in a replay directory (README "Replay layout").

The corpus is a folder of unmodified published files, one sub-folder per publisher, described by its
own SOURCES.md. It is not part of the repository: ``RQE_REAL_CORPUS`` names it, else it is looked for
beside the clone (``<repo>/../shared/real``, as in CI). :func:`assemble_replay_dir` copies (never
modifies) its publisher-format files into a replay directory for a whole-pipeline run.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
CORPUS_ENV = "RQE_REAL_CORPUS"
DEFAULT_CORPUS = REPO.parent / "shared" / "real"

# What a file is, for the pipeline:
PUBLISHER = "publisher"  # a publisher's format of a product the pipeline reads (RECON and EXCERPT included)
OTHER = "other"  # a publisher's format of a product the pipeline does not read: refused by name
DERIVED = "derived"  # not a publisher's format (re-serialized): read correctly or refused by name

# Inferred, not verified against EDGAR: the origin repository's own tests list
# .../edgar/data/1850858/0001850858-21-000001-index.html for this filer (CIK 1850858, Bard Financial),
# whose first filing the 2021Q3 13F-HR is. The XML carries no accession number of its own.
BARD_2021Q3_ACCESSION = "0001850858-21-000001"


REQUIRE_ENV = "RQE_REQUIRE_REAL_CORPUS"  # .ci/run sets it: a missing corpus fails instead of skipping


def require_corpus() -> Path:
    """The corpus folder, or skip the calling test module with the reason (fail when CI requires it)."""
    import pytest

    root = corpus_dir()
    if not root.is_dir():
        reason = f"real-download corpus not found at {root}: set {CORPUS_ENV} to its folder"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"real corpus required ({REQUIRE_ENV}=1): {reason}", pytrace=False)
        pytest.skip(reason, allow_module_level=True)
    return root


def corpus_dir() -> Path:
    """The corpus folder: ``$RQE_REAL_CORPUS``, else ``<repo>/../shared/real`` (may not exist)."""
    return Path(os.environ.get(CORPUS_ENV) or DEFAULT_CORPUS)


@dataclass(frozen=True)
class Entry:
    """One corpus file: what it is, the raw table it feeds, and its replay place (source, name)."""

    kind: str
    table: str | None = None
    replay: tuple[str, str] | None = None


def _fred(series: str, replay: bool = True) -> Entry:
    return Entry(PUBLISHER, "fred_observations", ("fred", f"{series}.csv") if replay else None)


def _stooq(symbol: str) -> Entry:
    return Entry(PUBLISHER, "stooq_daily_prices", ("stooq", f"{symbol}.csv"))


# Every file of the corpus (SOURCES.* aside). Several files may claim one replay name (two downloads
# of one FRED series or ticker): assemble_replay_dir keeps the newest vintage (see _newest).
ENTRIES: dict[str, Entry] = {
    "fred/BAMLC0A0CM_observation_date_3y_window_Vincizh.csv": _fred("BAMLC0A0CM"),
    "fred/BAMLC0A0CM_observation_date_chatterjee.csv": _fred("BAMLC0A0CM"),
    "fred/BAMLH0A0HYM2_DATE_dotmissing_Khagendra01.csv": _fred("BAMLH0A0HYM2"),
    "fred/BAMLH0A0HYM2_observation_date_401Alert_3y_window.csv": _fred("BAMLH0A0HYM2"),
    "fred/BAMLH0A0HYM2_observation_date_matemadrigal.csv": _fred("BAMLH0A0HYM2"),
    "fred/DGS10_observation_date_matemadrigal.csv": _fred("DGS10"),
    "fred/DGS2_observation_date_matemadrigal.csv": _fred("DGS2"),
    "fred/DGS30_observation_date_401Alert.csv": _fred("DGS30"),
    "fred/IORB_observation_date_Vincizh.csv": _fred("IORB"),
    "fred/NFCI_observation_date_matemadrigal.csv": _fred("NFCI"),
    "fred/RRPONTSYD_observation_date_full_qie2003.csv": _fred("RRPONTSYD"),
    "fred/RRPONTSYD_observation_date_matemadrigal.csv": _fred("RRPONTSYD"),
    "fred/SOFR_DATE_dotmissing_PytelAdam.csv": _fred("SOFR"),
    "fred/SOFR_observation_date_qie2003.csv": _fred("SOFR"),
    "fred/STLFSI4_observation_date_bhoomi.csv": _fred("STLFSI4"),
    # FRED's own quarterly aggregate of a weekly series: refused by the raw suite, never replayed.
    "fred/TREAST_DATE_quarterly_agg_jialis3.csv": _fred("TREAST", replay=False),
    "fred/TREAST_weekly_opxie1_DERIVED.csv": Entry(DERIVED, "fred_observations"),
    "fred/WALCL_observation_date_full_qie2003.csv": _fred("WALCL"),
    "fred/WALCL_observation_date_matemadrigal.csv": _fred("WALCL"),
    "fred/WDTGAL_observation_date_sphynxkatt0_RECON.csv": Entry(OTHER, "fred_observations"),
    # Older downloads in $bn: refused by the raw suite (WRESBAL is stored in $mn), never replayed.
    "fred/WRESBAL_DATE_Khagendra01.csv": _fred("WRESBAL", replay=False),
    "fred/WRESBAL_DATE_pyoph.csv": _fred("WRESBAL", replay=False),
    "fred/WRESBAL_observation_date_millions_Vincizh.csv": _fred("WRESBAL"),
    "fred/WSHOMCB_weekly_opxie1_DERIVED.csv": Entry(DERIVED, "fred_observations"),
    "fred/WTREGEN_observation_date_matemadrigal.csv": _fred("WTREGEN"),
    "frb_ddp/PRATES_IOER_IORR_IORB_federalreserve_DDP_Vincizh.csv": Entry(
        PUBLISHER, "fred_observations", ("fred", "IOER.csv")),
    "fiscal_data/auctions_query_api_bwoods1998_RECON.json": Entry(
        PUBLISHER, "treasury_auctions", ("fiscal_data", "auctions_query_2026-09.json")),
    "fiscal_data/dts_operating_cash_balance_api_bwoods1998_RECON.json": Entry(
        PUBLISHER, "dts_operating_cash_balance", ("fiscal_data", "dts_operating_cash_balance_2026-09-21_2026-09-23.json")),
    "fiscal_data/dts_operating_cash_balance_paysonkmorgan_DERIVED.csv": Entry(DERIVED, "dts_operating_cash_balance"),
    "fiscal_data/dts_operating_cash_balance_site_export_2021-06-24_2023-12-29.csv": Entry(
        PUBLISHER, "dts_operating_cash_balance", ("fiscal_data", "dts_operating_cash_balance_2021-06-24_2023-12-29.csv")),
    "fiscal_data/dts_public_debt_transactions_EXCERPT_site_export.csv": Entry(
        PUBLISHER, "dts_public_debt_transactions", ("fiscal_data", "dts_public_debt_transactions_2026_excerpt.csv")),
    "fiscal_data/dts_public_debt_transactions_site_export_2021-06-24_2023-12-29.csv": Entry(
        PUBLISHER, "dts_public_debt_transactions", ("fiscal_data", "dts_public_debt_transactions_2021-06-24_2023-12-29.csv")),
    "fiscal_data/mspd_table_1_site_export_linfante995.csv": Entry(OTHER, "mspd_debt_outstanding"),
    "treasurydirect/TA_WS_securities_search_powershell_ExportCsv_dharmatech_DERIVED.csv": Entry(DERIVED, "treasury_auctions"),
    "treasurydirect/auction_results_R_20220502_1_26W_bill_dharmatech.xml": Entry(OTHER, "treasury_auctions"),
    "treasurydirect/auction_results_R_20220512_3_30Y_bond_dharmatech.xml": Entry(OTHER, "treasury_auctions"),
    "nyfed/rates_all_latest_refRates_bwoods1998_RECON.json": Entry(OTHER, "nyfed_reverse_repo_operations"),
    "nyfed/sofr_internal_read_endpoint_20210601_henrik-ch_DERIVED.json": Entry(DERIVED, "nyfed_reverse_repo_operations"),
    "sec_xbrl/companyfacts_GOOGL_1652044_excerpt_capex-atlas.json": Entry(
        PUBLISHER, "sec_companyfacts", ("sec", "CIK0001652044.json")),
    "sec_xbrl/companyfacts_META_1326801_excerpt_capex-atlas.json": Entry(
        PUBLISHER, "sec_companyfacts", ("sec", "CIK0001326801.json")),
    "sec_xbrl/companyfacts_MSFT_789019_excerpt_capex-atlas.json": Entry(
        PUBLISHER, "sec_companyfacts", ("sec", "CIK0000789019.json")),
    "sec_13f/infotable_ns1_BardFinancial_2021Q3_secfilingsearcher.xml": Entry(
        PUBLISHER, "sec13f_infotable", ("sec_13f", f"{BARD_2021Q3_ACCESSION}.xml")),
    # the same filing's cover page, replayed beside it (README "Replay layout"): its summary page
    # declares the 278 lines and 1,129,298 ($ thousands) the information table adds up to
    "sec_13f/primary_doc_BardFinancial_2021Q3_secfilingsearcher.xml": Entry(
        PUBLISHER, "sec13f_summarypages", ("sec_13f", f"{BARD_2021Q3_ACCESSION}.primary_doc.xml")),
    "sec_13f/primary_doc_Everhart_2020Q4_secfilingsearcher.xml": Entry(OTHER, "sec13f_infotable"),
    "stooq/aapl_us_d_jakub-bobrowski.csv": _stooq("aapl.us"),
    "stooq/aapl_us_d_polish_header_samitwatve.csv": _stooq("aapl.us"),
    "stooq/amc_us_d_rlevy820.csv": _stooq("amc.us"),
    "stooq/bulk_coin.us.txt": _stooq("coin.us"),
    "stooq/bulk_crm.us_2020vintage.txt": _stooq("crm.us"),
    "stooq/bulk_gme.us_2020vintage.txt": _stooq("gme.us"),
    "stooq/bulk_hood.us.txt": _stooq("hood.us"),
    "stooq/bulk_mstr.us.txt": _stooq("mstr.us"),
    "stooq/bulk_mu.us.txt": _stooq("mu.us"),
    "stooq/bulk_now.us_2020vintage.txt": _stooq("now.us"),
    "stooq/bulk_wdc.us.txt": _stooq("wdc.us"),
    "stooq/gme_us_d_rlevy820.csv": _stooq("gme.us"),
    "stooq/nvda_us_d_rlevy820.csv": _stooq("nvda.us"),
    "coinbase/BTC-USD_daily_candles_objects_dharmatech_DERIVED.json": Entry(DERIVED, "coinbase_daily_candles"),
}


def corpus_files(root: Path | None = None) -> list[str]:
    """Every file of the corpus as a path relative to it, SOURCES.* left out."""
    root = root or corpus_dir()
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and not p.name.startswith("SOURCES."))


# ---------------------------------------------------------------------------------------------
# Parsing as the loader would
# ---------------------------------------------------------------------------------------------

def _series_id(relative: str) -> str:
    """The FRED series a replay file is read as: its replay name, else the ID leading the file name."""
    entry = ENTRIES[relative]
    if entry.replay is not None:
        return Path(entry.replay[1]).stem
    return Path(relative).name.split("_")[0]


def _stooq_symbol(relative: str) -> str:
    """The Stooq symbol (``mu.us``): the replay name, as the loader derives it from ``<symbol>.csv``."""
    return Path(ENTRIES[relative].replay[1]).stem


def parser_for(relative: str) -> Callable[[bytes, str], pd.DataFrame]:
    """``parse(content, location)`` with the arguments the table's loader passes for this file."""
    from reverse_qe.sources.issuance import cashflow_tags
    from reverse_qe.sources.parsers import (
        fiscal_data,
        fred,
        mspd,
        nyfed,
        prices,
        sec_13f,
        sec_companyfacts,
        treasury_auctions,
    )

    table, fmt = ENTRIES[relative].table, Path(relative).suffix.lstrip(".")
    if table == "fred_observations":
        series_id = _series_id(relative)
        return lambda c, loc: fred.parse_fred_csv(c, location=loc, series_id=series_id)
    if table == "dts_operating_cash_balance":
        return lambda c, loc: fiscal_data.parse_dts_operating_cash_balance(c, location=loc, fmt=fmt)
    if table == "dts_public_debt_transactions":
        return lambda c, loc: fiscal_data.parse_dts_public_debt_transactions(c, location=loc, fmt=fmt)
    if table == "mspd_debt_outstanding":
        return lambda c, loc: mspd.parse_mspd_table_1(c, location=loc)
    if table == "treasury_auctions":
        if relative.startswith("treasurydirect/"):
            return lambda c, loc: treasury_auctions.parse_treasurydirect_auctions(c, location=loc)
        return lambda c, loc: treasury_auctions.parse_fiscal_data_auctions(c, location=loc)
    if table == "nyfed_reverse_repo_operations":
        return lambda c, loc: nyfed.parse_nyfed_repo_operations(c, location=loc)
    if table == "sec_companyfacts":
        tags = cashflow_tags()
        return lambda c, loc: sec_companyfacts.parse_companyfacts(c, location=loc, tags=tags)
    if table == "sec13f_infotable":
        entry = ENTRIES[relative]
        # The loader takes the accession number from the file name (sec_13f/<ACCESSION>.xml). A file
        # not replayed (a cover page) would be saved under its filing's number too: a well-formed
        # stand-in lets the parser judge the document itself.
        accession = Path(entry.replay[1]).stem if entry.replay else "0000000000-00-000000"
        return lambda c, loc: sec_13f.parse_13f_infotable_xml(c, location=loc, accession_number=accession)
    if table == "sec13f_summarypages":
        accession = Path(ENTRIES[relative].replay[1]).name.removesuffix(".primary_doc.xml")
        return lambda c, loc: sec_13f.parse_13f_primary_doc(c, location=loc, accession_number=accession)[table]
    if table == "stooq_daily_prices":
        symbol = _stooq_symbol(relative)
        return lambda c, loc: prices.parse_stooq_csv(c, location=loc, symbol=symbol)
    if table == "coinbase_daily_candles":
        product = Path(relative).name.split("_")[0]
        return lambda c, loc: prices.parse_coinbase_candles(c, location=loc, product_id=product)
    raise KeyError(f"no parser for {relative} (table {table!r})")


# ---------------------------------------------------------------------------------------------
# Replay directory
# ---------------------------------------------------------------------------------------------

def _last_date(path: Path) -> str:
    """The newest date written in a download (its vintage, near enough): FRED and Stooq files are
    sorted oldest first, so the last line, with YYYYMMDD read as YYYY-MM-DD."""
    last = path.read_bytes().rstrip().rsplit(b"\n", 1)[-1].decode("utf-8", "replace")
    for cell in last.split(","):
        cell = cell.strip()
        if len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
            return cell
        if len(cell) == 8 and cell.isdigit():
            return f"{cell[:4]}-{cell[4:6]}-{cell[6:]}"
    return ""


def _newest(root: Path, candidates: list[str]) -> str:
    """Of several downloads of one series or ticker: the newest vintage, and of equals the one with
    the current FRED header (observation_date, not DATE)."""
    def rank(relative: str) -> tuple[str, bool]:
        path = root / relative
        return _last_date(path), path.read_bytes()[:20].lstrip(b"\xef\xbb\xbf").startswith(b"observation_date,")
    return max(candidates, key=rank)


def replay_plan(root: Path | None = None, sources: set[str] | None = None) -> dict[tuple[str, str], str]:
    """(source, replay name) -> corpus file that plays it, for the publisher-format files present."""
    root = root or corpus_dir()
    present = set(corpus_files(root))
    claims: dict[tuple[str, str], list[str]] = {}
    for relative, entry in ENTRIES.items():
        if entry.kind == PUBLISHER and entry.replay and relative in present:
            if sources is None or entry.replay[0] in sources:
                claims.setdefault(entry.replay, []).append(relative)
    return {place: _newest(root, files) for place, files in sorted(claims.items())}


def assemble_replay_dir(dest: Path, sources: set[str] | None = None, *, root: Path | None = None) -> dict[str, list[str]]:
    """Copy (never modify) the corpus's publisher-format files into ``dest/<source>/<expected name>``.

    ``sources`` limits it to those replay sources (e.g. {"fred", "stooq"}); None: all. Returns, per
    source, the names placed. Files the pipeline refuses (older $bn WRESBAL, FRED's quarterly TREAST,
    other publications, DERIVED re-serializations) are never placed.
    """
    root = root or corpus_dir()
    if not root.is_dir():
        raise FileNotFoundError(f"real corpus not found at {root} (set {CORPUS_ENV})")
    placed: dict[str, list[str]] = {}
    for (source, name), relative in replay_plan(root, sources).items():
        target = Path(dest) / source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / relative, target)  # bytes only: the corpus's read-only mode stays behind
        placed.setdefault(source, []).append(name)
    return placed
