"""One job per source cadence, and the transform that follows any of them.

The ingestion assets are not partitioned: each run re-reads its sources' documents and upserts by
natural key, so re-running a day is harmless and history is never deleted. (Daily partitions were
tried: a single-run backfill of 2018-to-date wrote one event per day per asset and took 762 s
instead of ~40 s; see the README's operations section.)
"""

from dagster import AssetSelection, define_asset_job

from orchestration.dbt import reverse_qe_dbt_assets
from orchestration.publish import published_warehouse

DAILY_GROUPS = ("raw_funding_flows", "raw_issuance", "raw_prices")
QUARTERLY_GROUPS = ("raw_holdings",)
H41_ASSET = ["raw", "fred_observations"]  # the H.4.1 series (WALCL, TREAST, WTREGEN, WRESBAL) come via FRED

daily_ingest_job = define_asset_job(
    "daily_ingest",
    selection=AssetSelection.groups(*DAILY_GROUPS),
    description="Daily sources: FRED, the Daily Treasury Statement, NY Fed reverse repo, Treasury "
    "auctions and MSPD, SEC companyfacts of the hyperscalers (new filings appear any day), prices.",
)

weekly_h41_job = define_asset_job(
    "weekly_h41",
    selection=AssetSelection.assets(H41_ASSET),
    description="FRED again once the Fed has published the H.4.1 week (Thursday afternoon).",
)

quarterly_13f_job = define_asset_job(
    "quarterly_13f",
    selection=AssetSelection.groups(*QUARTERLY_GROUPS),
    description="SEC Form 13F data sets (submissions, cover pages, information tables) of a new quarter.",
)

transform_job = define_asset_job(
    "transform_and_publish",
    selection=AssetSelection.assets(reverse_qe_dbt_assets, published_warehouse),
    description="Every dbt model and test, the reconciliations, then the published copy.",
)

INGEST_JOBS = (daily_ingest_job, weekly_h41_job, quarterly_13f_job)
