"""Raw security-map assets: the SEC's Official List of Section 13(f) Securities, and OpenFIGI's
answers for the CUSIPs the 13F information tables hold (a cache: each CUSIP asked once).

Declarations only: loading and parsing live in ``reverse_qe.sources.securities``. The models turn
them, with the rules of the seed ``asset_group_rules`` and the overrides of ``asset_taxonomy``,
into an asset group and spec weight per CUSIP (``int_securities__asset_groups``).
"""

from __future__ import annotations

from functools import partial

from assets.checks import freshness_check
from assets.partitions import monthly_partitions
from assets.raw import lazy_loader, raw_asset
from reverse_qe.warehouse import RawTable

SEC13F_SECURITIES_LIST = RawTable(
    "sec13f_securities_list",
    {"list_quarter_end": "date", "cusip": "varchar", "has_options": "boolean", "issuer_name": "varchar",
     "issuer_description": "varchar", "status": "varchar", "line_number": "integer"},
    key=("list_quarter_end", "cusip", "issuer_description"),
)
OPENFIGI_MAPPINGS = RawTable(
    "openfigi_mappings",
    {"cusip": "varchar", "status": "varchar", "figi": "varchar", "figi_name": "varchar", "ticker": "varchar",
     "exch_code": "varchar", "market_sector": "varchar", "security_type": "varchar", "security_type2": "varchar",
     "fetched_at": "timestamp", "fetched_on": "date"},
    key=("cusip",),
)

_loader = partial(lazy_loader, "reverse_qe.sources.securities")
_family = partial(raw_asset, partitions_def=monthly_partitions, group_name="raw_securities", owners=["team:holdings"])

securities_assets = [
    _family(SEC13F_SECURITIES_LIST, _loader("load_13f_list"), source="sec_13f_list", date_column="list_quarter_end",
            description="The SEC's Official List of Section 13(f) Securities, one row per line of each quarter's "
            "13flistYYYYqN.txt: CUSIP, issuer name and description (COM, ETF, ...), ADDED/DELETED status."),
    _family(OPENFIGI_MAPPINGS, _loader("load_openfigi"), source="openfigi", date_column="fetched_on",
            reads_warehouse=True,
            description="OpenFIGI's mapping of each 13F CUSIP (security type, market sector, exchange, ticker), "
            "or not_found; a cache keyed by CUSIP: live mode asks only for the CUSIPs it lacks."),
]

# Freshness by the data's own date: a new list each quarter (published before the quarter ends).
securities_checks = [
    freshness_check(SEC13F_SECURITIES_LIST, "list_quarter_end", "quarterly"),
]
