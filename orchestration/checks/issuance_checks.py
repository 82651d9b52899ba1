"""Issuance reconciliation: the Daily Treasury Statement's net marketable issuance against the
monthly change in MSPD marketable debt held by the public. Wiring only; the maths is
``orchestration.checks.reconciliations.dts_vs_mspd``."""

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check
from dagster_duckdb import DuckDBResource

from assets.ingest import WAREHOUSE_POOL
from orchestration.checks import thresholds

STG_MSPD = AssetKey(["staging", "stg_fiscal_data__mspd_debt_outstanding"])
RAW_DTS_DEBT = AssetKey(["raw", "dts_public_debt_transactions"])


@asset_check(asset=STG_MSPD, additional_deps=[RAW_DTS_DEBT], pool=WAREHOUSE_POOL,
             description="Each month, DTS net marketable issuance (issues − redemptions) matches the change in "
             "MSPD marketable debt held by the public, within "
             f"max({thresholds.DTS_MSPD_TOLERANCE_BN:g} bn, {thresholds.DTS_MSPD_TOLERANCE_SHARE:.0%}) (DTS counts cash, MSPD par).")
def dts_issuance_matches_mspd(warehouse: DuckDBResource) -> AssetCheckResult:
    from orchestration.checks import reconciliations as rec  # pandas: at run time, not at load

    with warehouse.get_connection() as conn:
        transactions = conn.execute(
            "select record_date, transaction_type, security_marketability, transaction_today_amt "
            "from raw.dts_public_debt_transactions").df()
        mspd = conn.execute(
            "select record_date, debt_held_by_public_bn as marketable_held_by_public_bn "
            "from staging.stg_fiscal_data__mspd_debt_outstanding where security_class_desc = ?",
            ["Total Marketable"]).df()
    months = rec.dts_vs_mspd(transactions, mspd)
    breaches = months[months["breach"]]
    return AssetCheckResult(
        passed=breaches.empty, severity=AssetCheckSeverity.WARN,
        metadata={
            "months_compared": len(months),
            "months_outside": len(breaches),
            "largest_difference_bn": float(months["difference_bn"].abs().max()) if len(months) else 0.0,
            "breaches": MetadataValue.json(breaches.head(20).astype(str).to_dict("records")),
        },
    )


issuance_checks = [dts_issuance_matches_mspd]
