"""Plots of the security map: how much of each quarter's 13F value has an asset group, and how
the value splits by group (``unmapped`` included, so the bars add up to the whole).

Pure: rows (dicts, numbers as float or None) in, PNG bytes out; every plot of synthetic rows says
SYNTHETIC in its title. No Dagster, no DuckDB.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from reverse_qe.reports.chain_units_plots import QUARTER_BAR_DAYS, quarterly_share_panel
from reverse_qe.reports.png import cached_png, figure_png, pyplot, rows_synthetic_label, series

Rows = Sequence[Mapping[str, Any]]
MAPPED_VALUE_SHARE_TARGET = 0.95  # the target for the scenario's universe (docs/securities_map.md)
GROUP_COLOURS = {"crypto_proxy": "tab:orange", "software": "tab:purple", "retail_favourite": "tab:pink",
                 "memory": "tab:green", "etf": "tab:blue", "other": "tab:grey", "unmapped": "black"}


@cached_png
def mapping_coverage_png(rows: Rows) -> bytes:
    """Top: ``mapped_value_share`` per quarter against its target. Bottom: the value left unmapped
    and the value of NEW HOLDINGS amendments whose report is not loaded."""
    plt = pyplot()
    rows = sorted(rows, key=lambda r: r["quarter_end"])
    quarters = [r["quarter_end"] for r in rows]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
    target = 100 * MAPPED_VALUE_SHARE_TARGET
    quarterly_share_panel(top, rows, "mapped_value_share", "13F value with an asset group", "share of value, %",
                          floor_pct=target, pad=1, target_pct=target)
    top.set_title(f"Security map: 13F value mapped to an asset group{rows_synthetic_label(rows)}", fontsize=10)
    unmapped, orphans = series(rows, "unmapped_value_bn"), series(rows, "orphan_new_holdings_value_bn")
    bottom.bar(quarters, unmapped, width=QUARTER_BAR_DAYS, color="black", label="unmapped (kept in every total)")
    bottom.bar(quarters, orphans, width=QUARTER_BAR_DAYS, bottom=[0.0 if math.isnan(u) else u for u in unmapped],
               color="tab:red", label="NEW HOLDINGS amendments without their report (in no position)")
    bottom.set_ylabel("value, USD bn")
    bottom.set_xlabel("quarter end (period of report)")
    bottom.legend(loc="upper left", fontsize=8)
    return figure_png(figure)


@cached_png
def value_by_asset_group_png(rows: Rows) -> bytes:
    """Each quarter's 13F value by asset group, stacked to 100%: which groups the chain can hit."""
    plt = pyplot()
    quarters = sorted({r["quarter_end"] for r in rows})
    groups = sorted({r["asset_group"] for r in rows}, key=lambda g: (g == "unmapped", g == "other", g))
    share = {(r["quarter_end"], r["asset_group"]): float(r.get("value_share") or 0.0) for r in rows}
    figure, axis = plt.subplots(figsize=(9, 4.2))
    below = [0.0] * len(quarters)
    for group in groups:
        heights = [100 * share.get((q, group), 0.0) for q in quarters]
        axis.bar(quarters, heights, width=QUARTER_BAR_DAYS, bottom=below, label=group,
                 color=GROUP_COLOURS.get(group, "tab:cyan"))
        below = [b + h for b, h in zip(below, heights)]
    axis.set_ylim(0, 100)
    axis.set_ylabel("share of the quarter's 13F value, %")
    axis.set_xlabel("quarter end (period of report)")
    axis.set_title(f"13F value by asset group{rows_synthetic_label(rows)}", fontsize=10)
    axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    figure.tight_layout()
    return figure_png(figure)
