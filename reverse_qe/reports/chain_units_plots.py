"""Plots of the chain's bands and of the 13F units: the amplification's p10-p90 band with the
breaking shocks, the share of filings reconciling with the value corrected or flagged, and the
filings that needed it.

Pure: rows (dicts, numbers as float or None) in, PNG bytes out; every plot of synthetic rows says
SYNTHETIC in its title. No Dagster, no DuckDB.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from reverse_qe.reports.png import cached_png, figure_png, pyplot, rows_synthetic_label, series

Rows = Sequence[Mapping[str, Any]]
QUARTER_BAR_DAYS = 60  # a bar's width on a time axis of quarters


@cached_png
def chain_bands_png(bands: Rows, chain: Rows) -> bytes:
    """Top: amplification's p10-p90 band over the parameter draws and its median per quarter, the
    baseline (``chain``: fct_forced_selling_chain's quarter_end, amplification) and the threshold
    of the inverse stress. Bottom: the smallest funder shock that breaks the chain, by losses past
    the share of 13F AUM and by amplification past the threshold (where one does)."""
    plt = pyplot()
    bands = sorted(bands, key=lambda r: r["quarter_end"])
    quarters = [r["quarter_end"] for r in bands]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    top.fill_between(quarters, series(bands, "amplification_p10"), series(bands, "amplification_p90"),
                     color="tab:orange", alpha=0.25, linewidth=0, label="p10-p90 over the parameter draws")
    top.plot(quarters, series(bands, "amplification_p50"), color="tab:orange", linewidth=1.4, label="median (p50)")
    if chain:
        chain = sorted(chain, key=lambda r: r["quarter_end"])
        top.plot([r["quarter_end"] for r in chain], series(chain, "amplification"), color="black", linewidth=1.0,
                 marker="o", markersize=2.5, label="baseline (the vars' parameters)")
    thresholds = {r.get("stress_amplification_threshold") for r in bands} - {None}
    for threshold in thresholds:
        top.axhline(threshold, color="tab:red", linewidth=0.8, linestyle="--",
                    label=f"stress threshold: amplification {threshold:g}")
    top.set_ylabel("amplification (total / first-round sales)")
    top.set_title(f"Forced-selling chain: amplification bands and breaking shock{rows_synthetic_label(bands)}",
                  fontsize=10)
    top.legend(loc="upper left", fontsize=8)
    losses = {r.get("stress_loss_threshold_pct") for r in bands} - {None}
    loss_label = f"losses past {', '.join(f'{x:g}' for x in sorted(losses))}% of 13F AUM" if losses else "losses"
    bottom.bar(quarters, series(bands, "loss_breaking_shock_pct"), width=QUARTER_BAR_DAYS, color="tab:purple",
               alpha=0.7, label=f"smallest shock with {loss_label}")
    breaking = [r for r in bands if r.get("breaking_shock_pct") is not None]
    if breaking:
        bottom.scatter([r["quarter_end"] for r in breaking], series(breaking, "breaking_shock_pct"), marker="x",
                       color="tab:red", s=40, zorder=3, label="smallest shock with amplification past the threshold")
    bottom.set_ylabel("funder shock, %")
    bottom.set_xlabel("quarter end")
    bottom.legend(loc="upper left", fontsize=8)
    return figure_png(figure)


def quarterly_share_panel(axis, rows: Rows, column: str, label: str, ylabel: str, *, floor_pct: float, pad: float,
                          target_pct: float | None = None) -> None:
    """``column`` (a share, 0..1) of each quarter's row as a % line on ``axis``, with an optional
    dashed target; the y axis runs from just under the lowest of the line and ``floor_pct`` to 100."""
    share = [100 * x for x in series(rows, column)]
    axis.plot([r["quarter_end"] for r in rows], share, color="tab:green", linewidth=1.2, marker="o", markersize=3,
              label=label)
    if target_pct is not None:
        axis.axhline(target_pct, color="tab:red", linestyle="--", linewidth=0.8, label=f"target {target_pct:.0f}%")
    known = [x for x in share if not math.isnan(x)]
    axis.set_ylim(min([*known, floor_pct]) - pad, 100.5)
    axis.set_ylabel(ylabel)
    axis.legend(loc="lower left", fontsize=8)


@cached_png
def unit_reconciliation_png(rows: Rows) -> bytes:
    """Top: the share of 13F filings per quarter whose lines add up to their summary page. Bottom:
    the value read in the other unit than the date rule's (corrected) and the value flagged."""
    plt = pyplot()
    rows = sorted(rows, key=lambda r: r["quarter_end"])
    quarters = [r["quarter_end"] for r in rows]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
    quarterly_share_panel(top, rows, "reconciled_share", "filings reconciling with their summary page",
                          "share of filings, %", floor_pct=99.0, pad=0.5)
    top.set_title(f"13F value units: filings reconciling, value corrected or flagged{rows_synthetic_label(rows)}",
                  fontsize=10)
    corrected, flagged = series(rows, "value_corrected_bn"), series(rows, "value_flagged_bn")
    bottom.bar(quarters, corrected, width=QUARTER_BAR_DAYS, color="tab:blue", label="corrected (read in the other unit)")
    bottom.bar(quarters, flagged, width=QUARTER_BAR_DAYS, bottom=[0.0 if math.isnan(c) else c for c in corrected],
               color="tab:red", label="flagged (unresolved or not adding up)")
    for quarter, row, height in zip(quarters, rows, corrected):
        filings = (row.get("filings_unit_corrected") or 0) + (row.get("filings_flagged") or 0)
        if filings:
            bottom.annotate(f"{filings}", (quarter, 0 if math.isnan(height) else height), textcoords="offset points",
                            xytext=(0, 2), ha="center", fontsize=7)
    bottom.set_ylabel("value, USD bn")
    bottom.set_xlabel("quarter end (period of report); numbers: filings")
    bottom.legend(loc="upper left", fontsize=8)
    return figure_png(figure)


STATUS_COLOURS = {"corrected": "tab:blue", "unresolved": "tab:red", "rule": "tab:grey"}


@cached_png
def unit_exceptions_png(rows: Rows, *, top: int = 15) -> bytes:
    """The filings with a corrected or unresolved unit, or not adding up, by value (the ``top``
    largest): colour by unit status, hatched when flagged."""
    from matplotlib.patches import Patch

    plt = pyplot()
    shown = sorted(rows, key=lambda r: -(r.get("value_bn") or 0.0))[:top][::-1]
    figure, axis = plt.subplots(figsize=(8, 1.2 + 0.34 * max(len(shown), 1)))
    names = [f"{r['accession_number']} ({r['quarter_end']})" for r in shown]
    bars = axis.barh(names, series(shown, "value_bn"), color=[STATUS_COLOURS.get(r.get("unit_status"), "tab:grey")
                                                              for r in shown])
    axis.bar_label(bars, labels=[f"{r.get('value_bn') or 0.0:,.4g}" for r in shown], fontsize=7, padding=2)
    for bar, row in zip(bars, shown):
        if row.get("is_flagged"):
            bar.set_hatch("//")
            bar.set_edgecolor("black")
    statuses = sorted({r.get("unit_status") for r in shown} - {None})
    handles = [Patch(color=STATUS_COLOURS.get(s, "tab:grey"), label=f"unit {s}") for s in statuses]
    handles.append(Patch(facecolor="white", edgecolor="black", hatch="//", label="flagged"))
    axis.legend(handles=handles, fontsize=8, loc="lower right")
    axis.set_xlabel("value in the resolved unit, USD bn")
    axis.set_title(f"13F filings whose unit was corrected or flagged{rows_synthetic_label(rows)}", fontsize=10)
    return figure_png(figure)
