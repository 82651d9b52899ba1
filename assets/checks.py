"""Reconciliation asset checks across sources, and the freshness check each family file declares
beside its raw tables: read the warehouse, call the maths in ``reverse_qe.reconciliations``,
report. Wiring only.
"""

from typing import TYPE_CHECKING

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from assets.raw import WAREHOUSE_POOL
from assets.resources import SourcesResource
from reverse_qe import thresholds
from reverse_qe.warehouse import RawTable

if TYPE_CHECKING:
    import pandas as pd

# The maths (``reconciliations``, ``raw_suites``) import pandas: each check imports them when it
# runs, so the code location loads without pandas.

RAW = {name: AssetKey(["raw", name]) for name in (
    "fred_observations", "dts_operating_cash_balance", "dts_public_debt_transactions",
    "nyfed_reverse_repo_operations")}
TGA_DAILY = AssetKey(["intermediate", "int_treasury__tga_daily"])
FRED_IN_UNITS = AssetKey(["intermediate", "int_fred__observations_in_units"])
BATHTUB = AssetKey(["marts", "fct_liquidity_bathtub"])
STG_MSPD = AssetKey(["staging", "stg_fiscal_data__mspd_debt_outstanding"])


def _table(frame: "pd.DataFrame", limit: int = 20) -> MetadataValue:
    return MetadataValue.json(frame.head(limit).astype(str).to_dict("records"))


@asset_check(asset=TGA_DAILY, additional_deps=[FRED_IN_UNITS], pool=WAREHOUSE_POOL,
             description="WTREGEN (the Fed's week-average TGA) lies within the week's range of DTS daily "
             f"TGA closes, give or take {thresholds.TGA_WTREGEN_TOLERANCE_BN:g} bn.")
def tga_matches_wtregen(warehouse: DuckDBResource) -> AssetCheckResult:
    from reverse_qe import reconciliations as rec

    with warehouse.get_connection() as conn:
        tga = conn.execute("select record_date, tga_close_bn from intermediate.int_treasury__tga_daily").df()
        fed = conn.execute("select observation_date, value_bn from intermediate.int_fred__observations_in_units "
                           "where series_id = ?", ["WTREGEN"]).df()
    weeks = rec.tga_vs_wtregen(tga, fed)
    breaches = weeks[weeks["breach"]]
    return AssetCheckResult(
        passed=breaches.empty, severity=AssetCheckSeverity.WARN,
        metadata={"weeks_compared": len(weeks), "weeks_outside": len(breaches),
                  "largest_gap_bn": float(weeks["outside_bn"].max()) if len(weeks) else 0.0,
                  "tolerance_bn": rec.TGA_WTREGEN_TOLERANCE_BN, "breaches": _table(breaches)},
    )


@asset_check(asset=BATHTUB, additional_deps=[RAW["fred_observations"], TGA_DAILY],
             pool=WAREHOUSE_POOL, blocking=True,
             description="Net liquidity in the mart equals a recomputation from raw FRED rows and the daily TGA "
             "close (WALCL − DTS TGA close − RRPONTSYD, each at its last value in the week), week by week.")
def bathtub_matches_raw_recomputation(warehouse: DuckDBResource) -> AssetCheckResult:
    from reverse_qe import reconciliations as rec

    with warehouse.get_connection() as conn:
        mart = conn.execute("select week_ending, net_liquidity_bn from marts.fct_liquidity_bathtub").df()
        fred = conn.execute("select series_id, observation_date, value from raw.fred_observations "
                            "where series_id in (?, ?)", ["WALCL", "RRPONTSYD"]).df()
        tga = conn.execute("select record_date, tga_close_bn from intermediate.int_treasury__tga_daily").df()
    mismatches = rec.bathtub_mismatches(mart, rec.bathtub_net_liquidity(fred, tga))
    return AssetCheckResult(
        passed=mismatches.empty, severity=AssetCheckSeverity.ERROR,
        metadata={"weeks_compared": len(mart), "weeks_differing": len(mismatches), "mismatches": _table(mismatches)},
    )


PER_FRED_SERIES = "per FRED series"  # each series' cadence from the seed fred_series.csv


def freshness_check(table: RawTable, date_column: str, cadence: str):
    """Warns when the table's own latest date trails the run date by more than its cadence allows
    (``reverse_qe.thresholds.FRESHNESS_MAX_LAG_DAYS``). Declared in each family file beside its table."""
    if cadence != PER_FRED_SERIES and cadence not in thresholds.FRESHNESS_MAX_LAG_DAYS:
        raise ValueError(f"{table.name}: unknown cadence {cadence!r}")
    query = table.latest_date_sql(date_column, per="series_id" if cadence == PER_FRED_SERIES else None)
    allowed = (", ".join(f"{k} {v} days" for k, v in thresholds.FRESHNESS_MAX_LAG_DAYS.items())
               if cadence == PER_FRED_SERIES else f"{thresholds.FRESHNESS_MAX_LAG_DAYS[cadence]} days")

    @asset_check(asset=AssetKey([table.schema, table.name]), name="fresh_for_its_cadence", pool=WAREHOUSE_POOL,
                 description=f"The data's own latest {date_column} trails the run date by no more than its "
                 f"cadence ({cadence}) allows: {allowed}.")
    def _check(context: AssetCheckExecutionContext, warehouse: DuckDBResource, sources: SourcesResource) -> AssetCheckResult:
        import pandas as pd

        from reverse_qe import reconciliations as rec
        from reverse_qe.fred_series import fred_series

        with warehouse.get_connection() as conn:
            status = conn.execute("select provided, detail from raw.source_status where table_name = ?",
                                  [table.name]).fetchone()
            latest = conn.execute(query, [] if cadence == PER_FRED_SERIES else [table.name]).df()
        if status is not None and not status[0]:  # not provided is not stale: the coverage table says so
            return AssetCheckResult(passed=True, metadata={"provided": False, "reason": status[1]})
        if cadence == PER_FRED_SERIES:
            live = {s.series_id: s.cadence for s in fred_series().values() if not s.discontinued}
            latest = latest[latest["series"].isin(live)].assign(cadence=lambda f: f["series"].map(live))
        else:
            latest = latest.assign(cadence=cadence)
        as_of = sources.as_of()
        stale = rec.stale_series(latest, as_of)
        return AssetCheckResult(
            passed=stale.empty, severity=AssetCheckSeverity.WARN,
            metadata={"as_of": str(as_of), "latest_date": str(pd.to_datetime(latest["latest_date"]).max().date())
                      if latest["latest_date"].notna().any() else "none",
                      "stale": _table(stale)},
        )

    return _check


def document_rows_check(table: RawTable):
    """Warns when a document of the table that yielded rows before yields none now, or (a whole
    document) fewer than ``thresholds.DOCUMENT_ROWS_FALL_SHARE`` of them: from ``raw.document_rows``,
    which the ingest writes with the rows. Declared in each family file beside its table, for the
    tables whose loader lists its documents."""

    @asset_check(asset=AssetKey([table.schema, table.name]), name="every_document_still_yields_rows",
                 pool=WAREHOUSE_POOL,
                 description="No source document has gone quiet: each document (a FRED series, a company's "
                 "companyfacts) yields rows if it did the run before, and a whole document at least "
                 f"{thresholds.DOCUMENT_ROWS_FALL_SHARE:.0%} of them (raw.document_rows; a live window is "
                 "compared with the previous window). A document that parses but yields nothing leaves its old "
                 "rows in place and raises no error.")
    def _check(warehouse: DuckDBResource) -> AssetCheckResult:
        from reverse_qe.document_rows import falling_documents

        with warehouse.get_connection() as conn:
            recorded = conn.execute("select count(*) from information_schema.tables where table_schema = 'raw' "
                                    "and table_name = 'document_rows'").fetchone()[0]
            records = conn.execute("select * from raw.document_rows where table_name = ?",
                                   [table.name]).df() if recorded else None
        if records is None or records.empty:
            return AssetCheckResult(passed=True, metadata={"documents": 0, "reason": "no document recorded yet"})
        falling = falling_documents(records, thresholds.DOCUMENT_ROWS_FALL_SHARE)
        return AssetCheckResult(
            passed=falling.empty, severity=AssetCheckSeverity.WARN,
            metadata={"documents": int(records["document_key"].nunique()), "runs": int(records["batch_id"].nunique()),
                      "fall_share": thresholds.DOCUMENT_ROWS_FALL_SHARE, "falling": _table(falling)},
        )

    return _check


@asset_check(asset=STG_MSPD, additional_deps=[RAW["dts_public_debt_transactions"]], pool=WAREHOUSE_POOL,
             description="Each month, DTS net marketable issuance (issues − redemptions) matches the change in "
             "MSPD marketable debt held by the public, within "
             f"max({thresholds.DTS_MSPD_TOLERANCE_BN:g} bn, {thresholds.DTS_MSPD_TOLERANCE_SHARE:.0%}) (DTS counts cash, MSPD par).")
def dts_issuance_matches_mspd(warehouse: DuckDBResource) -> AssetCheckResult:
    from reverse_qe import reconciliations as rec  # pandas: at run time, not at load

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


reconciliation_checks = [
    tga_matches_wtregen,
    bathtub_matches_raw_recomputation,
    dts_issuance_matches_mspd,
]
