"""Alerts on the absorption score (``reverse_qe.alerts``): each new event of
``marts.fct_absorption_alerts`` (a held-regime change, a score threshold crossed) is recorded once
in ``alerts.absorption_alert_log`` and posted once to the webhook in env ``RQE_ALERT_WEBHOOK``. A
post that still fails after its retries stays queued for the next run; this run still succeeds."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset
from dagster_duckdb import DuckDBResource

from assets.raw import WAREHOUSE_POOL

ALERTS_MART = AssetKey(["marts", "fct_absorption_alerts"])
ALERT_LOG = AssetKey(["alerts", "absorption_alert_log"])


@asset(key=ALERT_LOG, deps=[ALERTS_MART], group_name="alerts", kinds={"duckdb"}, owners=["team:analytics"],
       pool=WAREHOUSE_POOL,
       description="Every alert of marts.fct_absorption_alerts recorded once, with its JSON payload and its "
       "delivery to the webhook in env RQE_ALERT_WEBHOOK (queued, posted, or history: too old when first "
       "seen to page anyone). Posted once per change; a failed post stays queued for the next run.")
def absorption_alert_log(context: AssetExecutionContext, warehouse: DuckDBResource) -> MaterializeResult:
    from reverse_qe.alerts import ENV_WEBHOOK, run_alerts

    with warehouse.get_connection() as conn:
        run = run_alerts(conn)
    for alert_id in run.posted:
        context.log.info(f"alert {alert_id} posted to the webhook")
    if run.failed:
        context.log.warning(f"{len(run.failed)} alert(s) not delivered, queued for the next run: "
                            f"{', '.join(run.failed)}")
    if run.queued_without_webhook:
        context.log.info(f"{run.queued_without_webhook} alert(s) queued: {ENV_WEBHOOK} is not set")
    return MaterializeResult(metadata={
        "recorded": len(run.recorded), "recorded_as_history": len(run.history), "posted": len(run.posted),
        "still_queued": len(run.failed) + run.queued_without_webhook,
    })
