"""Raw issuance assets: Treasury auctions, MSPD debt held by the public, SEC companyfacts.

Declarations only: loading and parsing live in ``reverse_qe.sources.issuance``.
"""

from __future__ import annotations

from functools import partial

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from assets.checks import document_rows_check, freshness_check
from assets.partitions import monthly_partitions
from assets.raw import WAREHOUSE_POOL, lazy_loader, raw_asset
from reverse_qe.warehouse import RawTable

TREASURY_AUCTIONS = RawTable(
    "treasury_auctions",
    {
        "cusip": "varchar", "auction_date": "date", "issue_date": "date", "maturity_date": "date",
        "security_type": "varchar", "security_term": "varchar", "original_security_term": "varchar",
        "is_reopening": "boolean", "is_tips": "boolean", "is_frn": "boolean", "is_cmb": "boolean",
        "offering_amt": "double", "total_tendered": "double", "total_accepted": "double",
        "comp_accepted": "double", "bid_to_cover_ratio": "double", "high_yield_pct": "double",
        "high_investment_rate_pct": "double", "indirect_bidder_accepted": "double",
        "direct_bidder_accepted": "double", "primary_dealer_accepted": "double",
        "soma_accepted": "double", "source_format": "varchar"},
    key=("cusip", "auction_date"),
)
MSPD_DEBT_OUTSTANDING = RawTable(
    "mspd_debt_outstanding",
    {
        "record_date": "date", "security_type_desc": "varchar", "security_class_desc": "varchar",
        "debt_held_public_mil_amt": "double", "intragov_hold_mil_amt": "double",
        "total_mil_amt": "double", "source_line_number": "integer"},
    key=("record_date", "source_line_number"),
)
SEC_COMPANYFACTS = RawTable(
    "sec_companyfacts",
    {
        "cik": "bigint", "entity_name": "varchar", "tag": "varchar", "period_start": "date",
        "period_end": "date", "value_usd": "double", "accn": "varchar", "fiscal_year": "integer",
        "fiscal_period": "varchar", "form": "varchar", "filed": "date", "frame": "varchar"},
    key=("cik", "tag", "period_start", "period_end", "accn"),
)

_loader = partial(lazy_loader, "reverse_qe.sources.issuance")  # imported when a run loads
_family = partial(raw_asset, partitions_def=monthly_partitions, group_name="raw_issuance",
                  owners=["team:issuance"])

issuance_assets = [
    _family(
        TREASURY_AUCTIONS, _loader("load_treasury_auctions"), source="fiscal_data", date_column="auction_date",
        description="Treasury auction results (Fiscal Data auctions_query; TreasuryDirect JSON for "
        "auctions Fiscal Data lacks), USD; reopenings keep their original term.",
    ),
    _family(
        MSPD_DEBT_OUTSTANDING, _loader("load_mspd"), source="fiscal_data", date_column="record_date",
        description="Monthly Statement of the Public Debt table 1: debt held by the public by class ($mn).",
    ),
    _family(
        SEC_COMPANYFACTS, _loader("load_sec_companyfacts"), source="sec", date_column="filed",
        description="SEC XBRL companyfacts of the hyperscalers: cash-flow facts (USD, year-to-date "
        "in 10-Qs) with their filing dates, every filing kept (as-filed history).",
    ),
]

# Freshness by the data's own date: auctions come several times a week (a quiet holiday week
# still has some), MSPD once a month for the month before, companyfacts with each 10-Q/10-K.
@asset_check(asset=AssetKey([SEC_COMPANYFACTS.schema, SEC_COMPANYFACTS.name]), pool=WAREHOUSE_POOL,
             description="No company's companyfacts document has gone quiet: each company's newest filing is "
             "within two quarters of the newest of all (a document that yields 0 rows where it used to yield "
             "many, e.g. facts moved from us-gaap to ifrs-full, leaves its company's rows behind).")
def every_company_still_yields_facts(warehouse: DuckDBResource) -> AssetCheckResult:
    from reverse_qe import reconciliations as rec

    with warehouse.get_connection() as conn:
        latest = conn.execute("select cik, any_value(entity_name) as entity_name, max(filed) as latest_filed, "
                              "count(*) as rows from raw.sec_companyfacts group by cik order by cik").df()
    silent = rec.silent_companies(latest)
    return AssetCheckResult(
        passed=silent.empty, severity=AssetCheckSeverity.WARN,
        metadata={"companies": len(latest), "silent": MetadataValue.json(silent.astype(str).to_dict("records")),
                  "max_lag_days": rec.SILENT_COMPANY_LAG_DAYS},
    )


issuance_checks = [
    freshness_check(TREASURY_AUCTIONS, "auction_date", "weekly"),
    freshness_check(MSPD_DEBT_OUTSTANDING, "record_date", "monthly"),
    freshness_check(SEC_COMPANYFACTS, "filed", "quarterly"),
    every_company_still_yields_facts,
    document_rows_check(SEC_COMPANYFACTS),  # per company: its document's rows, run by run
]
