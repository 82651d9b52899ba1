"""Raw fund-holdings assets: SEC Form 13F data sets (submissions, cover pages, information tables).

Declarations only: loading and parsing live in ``reverse_qe.sources.holdings``. VALUE is stored as
published (thousands before 2023-01-03, dollars after, by filing date); the intermediate layer
resolves each filing's unit (int_holdings__filing_units) and converts it.
"""

from __future__ import annotations

from assets.checks import freshness_check
from assets.partitions import sec_13f_dataset_partitions
from assets.raw import lazy_loader, raw_set_asset
from reverse_qe.warehouse import RawTable

SEC13F_SUBMISSIONS = RawTable(
    "sec13f_submissions",
    {"accession_number": "varchar", "filing_date": "date", "submission_type": "varchar",
     "cik": "bigint", "period_of_report": "date"},
    key=("accession_number",),
)
SEC13F_COVERPAGES = RawTable(
    "sec13f_coverpages",
    {"accession_number": "varchar", "report_calendar_or_quarter": "date", "is_amendment": "boolean",
     "amendment_no": "integer", "amendment_type": "varchar", "filing_manager_name": "varchar"},
    key=("accession_number",),
)
SEC13F_SUMMARYPAGES = RawTable(
    "sec13f_summarypages",
    {"accession_number": "varchar", "table_entry_total": "bigint", "table_value_total": "bigint"},
    key=("accession_number",),
)
SEC13F_INFOTABLE = RawTable(
    "sec13f_infotable",
    {"accession_number": "varchar", "infotable_sk": "bigint", "name_of_issuer": "varchar",
     "title_of_class": "varchar", "cusip": "varchar", "figi": "varchar", "value": "bigint",
     "sshprnamt": "bigint", "sshprnamt_type": "varchar", "put_call": "varchar",
     "investment_discretion": "varchar", "other_manager": "varchar", "voting_auth_sole": "bigint",
     "voting_auth_shared": "bigint", "voting_auth_none": "bigint"},
    key=("accession_number", "infotable_sk"),
)

# One step writes a data set's four tables in one transaction, or none of them; one data set at a
# time, so a backfill of many needs the memory of one.
holdings_assets = [
    raw_set_asset(
        "raw__sec13f_datasets",
        [
            (SEC13F_SUBMISSIONS, "filing_date",
             "Form 13F data sets: SUBMISSION.tsv, one row per filing (filing date, CIK, period of report)."),
            (SEC13F_COVERPAGES, "report_calendar_or_quarter",
             "Form 13F data sets: COVERPAGE.tsv (amendment type RESTATEMENT / NEW HOLDINGS, manager name)."),
            (SEC13F_SUMMARYPAGES, None,
             ("Form 13F data sets: SUMMARYPAGE.tsv, the declared information-table line count and value total "
              "per filing (in the filing's VALUE unit), against which each filing's unit is checked.")),
            (SEC13F_INFOTABLE, None,
             "Form 13F information-table lines (data-set INFOTABLE.tsv and single-filing XML), VALUE as "
             "published: $ thousands for filings before 2023-01-03, dollars after."),
        ],
        lazy_loader("reverse_qe.sources.holdings", "iter_13f_datasets"),
        partitions_def=sec_13f_dataset_partitions, group_name="raw_holdings", owners=["team:holdings"],
        source="sec_13f",
    ),
]

# Freshness by the data's own date: a new 13F data set each quarter (filed within 45 days of the
# quarter's end, published some weeks later).
holdings_checks = [
    freshness_check(SEC13F_SUBMISSIONS, "filing_date", "quarterly"),
]
