"""Raw funding-flows assets: FRED series, the Daily Treasury Statement, NY Fed reverse repo.

Declarations only: loading and parsing live in ``reverse_qe.sources.funding_flows``.
"""

from __future__ import annotations

from functools import partial

from assets.checks import PER_FRED_SERIES, document_rows_check, freshness_check
from assets.partitions import h41_weekly_partitions, monthly_partitions
from assets.raw import lazy_loader, raw_asset
from reverse_qe.warehouse import RawTable

FRED_OBSERVATIONS = RawTable(
    "fred_observations",
    {"series_id": "varchar", "observation_date": "date", "value": "double"},
    key=("series_id", "observation_date"),
)
DTS_OPERATING_CASH_BALANCE = RawTable(
    "dts_operating_cash_balance",
    {
        "record_date": "date", "account_type": "varchar", "open_today_bal": "double",
        "open_month_bal": "double", "open_fiscal_year_bal": "double", "close_today_bal": "double",
        "source_line_number": "integer"},
    key=("record_date", "account_type"),
)
DTS_PUBLIC_DEBT_TRANSACTIONS = RawTable(
    "dts_public_debt_transactions",
    {
        "record_date": "date", "transaction_type": "varchar", "security_marketability": "varchar",
        "security_type": "varchar", "security_type_desc": "varchar", "transaction_today_amt": "double",
        "transaction_mtd_amt": "double", "transaction_fytd_amt": "double",
        "source_line_number": "integer"},
    key=("record_date", "source_line_number"),
)
NYFED_REVERSE_REPO_OPERATIONS = RawTable(
    "nyfed_reverse_repo_operations",
    {
        "operation_id": "varchar", "operation_date": "date", "settlement_date": "date",
        "maturity_date": "date", "operation_type": "varchar", "operation_method": "varchar",
        "term": "varchar", "note": "varchar", "total_amt_submitted": "double",
        "total_amt_accepted": "double", "award_rate_pct": "double", "is_small_value": "boolean"},
    key=("operation_id",),
)

_loader = partial(lazy_loader, "reverse_qe.sources.funding_flows")  # imported when a run loads
_family = partial(raw_asset, partitions_def=monthly_partitions, group_name="raw_funding_flows",
                  owners=["team:funding-flows"])

funding_flows_assets = [
    _family(
        FRED_OBSERVATIONS, _loader("load_fred"), source="fred", date_column="observation_date",
        partitions_def=h41_weekly_partitions,  # refreshed with the Fed's H.4.1 week
        description="FRED series (Fed assets, Treasury holdings, TGA, ON RRP, reserves, yields, OAS, "
        "SOFR, IORB/IOER) as published: long rows, source units, missing values kept as null.",
    ),
    _family(
        DTS_OPERATING_CASH_BALANCE, _loader("load_dts", table="operating_cash_balance"), source="fiscal_data",
        date_column="record_date",
        description="Daily Treasury Statement table I (operating cash balance, $mn), every row as "
        "published, including all three labels of the TGA row over time.",
    ),
    _family(
        DTS_PUBLIC_DEBT_TRANSACTIONS, _loader("load_dts", table="public_debt_transactions"), source="fiscal_data",
        date_column="record_date",
        description="Daily Treasury Statement table IIIA (public debt issues and redemptions, $mn).",
    ),
    _family(
        NYFED_REVERSE_REPO_OPERATIONS, _loader("load_nyfed_reverse_repo"), source="nyfed", date_column="operation_date",
        description="NY Fed reverse-repo operation results (USD); small-value test operations are "
        "flagged here and excluded in staging, never silently dropped.",
    ),
]

# Freshness by the data's own date, each at its publisher's cadence (FRED: per series, from the seed).
funding_flows_checks = [
    freshness_check(FRED_OBSERVATIONS, "observation_date", PER_FRED_SERIES),
    document_rows_check(FRED_OBSERVATIONS),  # per series: its document's rows, run by run
    freshness_check(DTS_OPERATING_CASH_BALANCE, "record_date", "daily"),
    freshness_check(DTS_PUBLIC_DEBT_TRANSACTIONS, "record_date", "daily"),
    freshness_check(NYFED_REVERSE_REPO_OPERATIONS, "operation_date", "daily"),
]
