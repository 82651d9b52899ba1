"""What each mart's Dagster metadata carries: its row count and, for the two weekly headline marts,
the latest week's headline values, all numeric so the UI's plots tab graphs them run after run.

Pure: from the rows the report page read of the published copy (``reverse_qe.reports.page``), so
the numbers are those of the publication analysts open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reverse_qe.reports.page import PageData

ROW_COUNT = "dagster/row_count"  # the key Dagster shows as a table's row count
# The latest week's numbers a reader asks first (each a column the page reads of that mart).
HEADLINES: dict[str, tuple[str, ...]] = {
    "fct_capex_absorption": ("score", "slack_bn", "absorption_ratio", "idle_pool_13w_ago_bn",
                             "hyperscaler_funding_13w_bn", "private_treasury_supply_13w_bn", "weighted_z"),
    "fct_liquidity_bathtub": ("net_liquidity_bn", "idle_pool_bn", "net_liquidity_change_13w_bn",
                              "demand_for_funds_13w_bn"),
}
WEEK = "week_ending"


def mart_metrics(data: PageData) -> dict[str, dict[str, int | float | str]]:
    """Mart name -> metadata: ``dagster/row_count`` for every mart; for the headline marts the
    latest week (``week_ending``, text) and each of its headline values known that week, as floats
    (a null value is left out: Dagster cannot plot it)."""
    out: dict[str, dict[str, int | float | str]] = {}
    for name, count in sorted(data.row_counts.items()):
        metrics: dict[str, int | float | str] = {ROW_COUNT: int(count)}
        rows = [row for row in data.marts.get(name, []) if row.get(WEEK) is not None]
        if name in HEADLINES and rows:
            latest = max(rows, key=lambda row: row[WEEK])
            metrics[WEEK] = latest[WEEK].isoformat()
            metrics.update({column: float(latest[column]) for column in HEADLINES[name]
                            if latest.get(column) is not None})
        out[name] = metrics
    return out
