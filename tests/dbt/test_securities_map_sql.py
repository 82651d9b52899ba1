"""The security map's rules, run as the project's real SQL in DuckDB (``tests.dbt_sql``) with the
real seeds: the taxonomy overrides, each rule gives its group, a security no source knows stays
'unmapped' with the default weight, and the rules hold on the real Bard 2021Q3 information table."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from reverse_qe.settings import SEEDS_DIR
from tests.dbt_sql import project_vars, render_model

EVIDENCE = render_model("intermediate/securities/int_securities__evidence.sql")
GROUPS = render_model("intermediate/securities/int_securities__asset_groups.sql")
DEFAULT_WEIGHT = project_vars()["chain_spec_weight_default"]


def mapped(held: list[tuple], listed: list[tuple] = (), openfigi: list[tuple] = ()) -> pd.DataFrame:
    """``held``: (cusip, filer's name, filer's class[, is_option]); ``listed``: (cusip, name,
    description); ``openfigi``: (cusip, status, name, security_type). The map, indexed by CUSIP."""
    conn = duckdb.connect()
    conn.execute("create table stg_sec13f__infotable (cusip varchar, name_of_issuer varchar, title_of_class varchar, "
                 "is_option boolean)")
    conn.executemany("insert into stg_sec13f__infotable values (?, ?, ?, ?)",
                     [(*h, False) if len(h) == 3 else h for h in held])
    conn.execute("create table stg_sec13f__securities_list (list_quarter_end date, cusip varchar, issuer_name varchar, "
                 "issuer_description varchar)")
    if listed:
        conn.executemany("insert into stg_sec13f__securities_list values ('2024-03-31', ?, ?, ?)", list(listed))
    conn.execute("create table stg_openfigi__mappings (cusip varchar, openfigi_status varchar, figi_name varchar, "
                 "security_type varchar)")
    if openfigi:
        conn.executemany("insert into stg_openfigi__mappings values (?, ?, ?, ?)", list(openfigi))
    for seed in ("asset_group_rules", "asset_taxonomy"):
        conn.execute(f"create table {seed} as select * from read_csv(?, all_varchar=true)", [str(SEEDS_DIR / f"{seed}.csv")])
    conn.execute("alter table asset_group_rules alter priority type integer")
    conn.execute("alter table asset_group_rules alter spec_weight type double")
    conn.execute("alter table asset_taxonomy alter spec_weight type double")
    conn.execute(f"create table int_securities__evidence as {EVIDENCE}")
    return conn.execute(GROUPS).df().set_index("cusip")


def test_the_taxonomy_overrides_every_rule():
    frame = mapped([("594972408", "MICROSTRATEGY BITCOIN HOLDER", "ETF")], openfigi=[("594972408", "found", "STRATEGY", "ETP")])
    assert frame.loc["594972408", ["asset_group", "spec_weight", "mapped_by"]].tolist() == ["crypto_proxy", 0.95, "asset_taxonomy"]


@pytest.mark.parametrize(("held", "listed", "openfigi", "expected"), [
    # spot bitcoin and ether funds by name, from any source
    (("46438F101", "ISHARES BITCOIN TR", "SHS"), None, None, ("crypto_proxy", 1.0, "bitcoin", "rule:name_bitcoin")),
    (("X00000001", "ISHARES TR", "SHS"), None, ("found", "ISHARES ETHEREUM TRUST ETF", "ETP"),
     ("crypto_proxy", 1.0, "ether", "rule:name_ether")),
    # bitcoin miners by CUSIP: their names say nothing
    (("767292105", "RIOT PLATFORMS INC", "COM"), None, None, ("crypto_proxy", 0.95, "bitcoin", "rule:override_bitcoin_miners")),
    # index funds and their underlying, as real 13F tables name them
    (("464287200", "ISHARES TR", "CORE S&P500 ETF"), ("ISHARES TR", "CORE S&P500 ETF"), None,
     ("etf", 0.3, "S&P 500", "rule:etf_sp500")),
    (("46090E103", "INVESCO QQQ TR", "UNIT SER 1"), None, None, ("etf", 0.4, "Nasdaq-100", "rule:etf_nasdaq100")),
    (("78463V107", "SPDR GOLD TR", "GOLD SHS"), None, None, ("etf", 0.2, "gold", "rule:etf_gold")),
    (("X00000002", "VANGUARD WORLD FDS", "ENERGY ETF"), None, None, ("etf", 0.3, None, "rule:etf_by_class")),
    (("X00000003", "SOME FUND", "SHS"), None, ("found", "SOME FUND", "ETP"), ("etf", 0.3, None, "rule:etf_by_openfigi_type")),
    (("464287515", "ISHARES TR", "EXPANDED TECH-SOFTWARE"), None, None, ("software", 0.7, "software", "rule:name_software")),
    # known, in no group: other; known to nobody: unmapped, default weight
    (("X00000004", "ACME CORP", "COM"), None, ("found", "ACME CORP", "Common Stock"), ("other", 0.3, None, "rule:known_to_openfigi")),
    (("X00000005", "ACME CORP", "COM"), ("ACME CORP", "COM"), ("not_found", None, None), ("other", 0.3, None, "rule:on_the_13f_list")),
    (("X00000006", "ACME CORP", "COM"), None, ("not_found", None, None), ("unmapped", DEFAULT_WEIGHT, None, None)),
])
def test_each_rule_gives_its_group(held, listed, openfigi, expected):
    cusip = held[0]
    frame = mapped([held], [(cusip, *listed)] if listed else [], [(cusip, *openfigi)] if openfigi else [])
    row = frame.loc[cusip]
    assert (row["asset_group"], row["spec_weight"], row["underlying"], row["mapped_by"]) == expected
    assert bool(row["is_mapped"]) == (expected[0] != "unmapped")


def test_word_boundaries_hold_in_patterns_matched_case_blind():
    """QQQ as a word, not inside another ticker; the seed's \\b must not be upper-cased into \\B."""
    frame = mapped([("X00000007", "QQQX HOLDINGS", "COM"), ("X00000008", "invesco qqq tr", "unit ser 1")])
    assert frame.loc["X00000007", "asset_group"] == "unmapped"
    assert frame.loc["X00000008", "underlying"] == "Nasdaq-100"


def test_an_options_underlying_alone_is_not_a_held_security():
    frame = mapped([("X00000009", "ACME CORP", "PUT", True), ("X00000010", "ACME CORP", "COM")])
    assert list(frame.index) == ["X00000010"]


def test_the_rules_on_the_real_bard_2021q3_information_table():
    """Every security the filer classed ETF maps to etf (64 of its 278 lines), and so do the two
    Sprott physical bullion trusts it classed COM; the S&P 500 funds get that underlying, the gold
    trusts gold; the only crypto or software name is the taxonomy's Salesforce (CRM)."""
    from reverse_qe.sources.parsers.sec_13f import parse_13f_infotable_xml
    from tests.real.corpus import require_corpus

    path = require_corpus() / "sec_13f" / "infotable_ns1_BardFinancial_2021Q3_secfilingsearcher.xml"
    lines = parse_13f_infotable_xml(path.read_bytes(), location=str(path), accession_number="0001234567-21-000001")
    frame = mapped(list(lines[["cusip", "name_of_issuer", "title_of_class"]].itertuples(index=False, name=None)))
    etfs = set(lines.loc[lines["title_of_class"] == "ETF", "cusip"])
    assert len(etfs) == 64 and set(frame.index[frame["asset_group"] == "etf"]) == etfs | {"85207H104", "85208R101"}
    assert set(frame.loc[frame["underlying"] == "S&P 500"].index) == {
        "46138E362", "46138E354", "46137V357", "464287200", "464287309", "74348A467", "78462F103"}
    assert set(frame.loc[frame["underlying"] == "gold"].index) == {"464285204", "78463V107", "85207H104", "85208R101"}
    speculative = frame[frame["asset_group"].isin(["crypto_proxy", "software"])]
    assert speculative[["asset_group", "mapped_by"]].to_dict("index") == {
        "79466L302": {"asset_group": "software", "mapped_by": "asset_taxonomy"}}
