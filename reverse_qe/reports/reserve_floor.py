"""The estimated reserve floor's plot: weekly reserves against SOFR - IORB with the latest fitted
kink, and the floor as estimated each week against reserves and the fixed floor. Pure: rows of
``marts.fct_reserve_floor_estimates`` (dicts, numbers as float or None) in, PNG bytes out; a plot of
synthetic rows says SYNTHETIC in its title. No Dagster, no DuckDB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reverse_qe.reports.png import cached_png, figure_png, pyplot, synthetic_label

Rows = Sequence[Mapping[str, Any]]

COLUMNS = ("week_ending", "reserves_bn", "sofr_iorb_spread_bp", "reserve_floor_estimate_bn",
           "spread_slope_bp_per_100bn", "spread_above_floor_bp", "fit_r_squared", "weeks_in_window",
           "window_start", "is_synthetic")


def latest_fit(rows: Rows) -> Mapping[str, Any] | None:
    """The last week with an estimate (rows in week order), or None."""
    fitted = [r for r in rows if r.get("reserve_floor_estimate_bn") is not None]
    return fitted[-1] if fitted else None


def hinge_bp(fit: Mapping[str, Any], reserves_bn: float) -> float:
    """The fitted spread at a reserves level: a + b * max(0, floor - reserves), b per 100 bn."""
    below = max(0.0, float(fit["reserve_floor_estimate_bn"]) - reserves_bn)
    return float(fit["spread_above_floor_bp"]) + float(fit["spread_slope_bp_per_100bn"]) * below / 100


@cached_png
def reserve_floor_png(rows: Rows, fixed_floor_bn: float | None = None) -> bytes:
    """Top: each week's reserves against its SOFR - IORB (coloured by year; the weeks of the latest
    fit's window ringed) with that fit's hinge and kink. Bottom: the floor as estimated each week
    (from that week's window only), reserves, and the fixed floor when given."""
    plt = pyplot()
    synthetic = synthetic_label(any(r.get("is_synthetic") for r in rows))
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7.5), gridspec_kw={"height_ratios": [3, 2]})
    years = sorted({r["week_ending"].year for r in rows})
    colours = plt.get_cmap("viridis", max(len(years), 2))
    for i, year in enumerate(years):
        own = [r for r in rows if r["week_ending"].year == year]
        top.scatter([float(r["reserves_bn"]) for r in own], [float(r["sofr_iorb_spread_bp"]) for r in own],
                    s=10, color=colours(i), label=str(year), alpha=0.8)
    fit = latest_fit(rows)
    if fit is not None:
        window = [r for r in rows if fit["window_start"] <= r["week_ending"] <= fit["week_ending"]]
        top.scatter([float(r["reserves_bn"]) for r in window], [float(r["sofr_iorb_spread_bp"]) for r in window],
                    s=28, facecolors="none", edgecolors="black", linewidths=0.4, label="latest fit's window")
        low = min(float(r["reserves_bn"]) for r in window)
        high = max(float(r["reserves_bn"]) for r in window)
        kink = float(fit["reserve_floor_estimate_bn"])
        xs = [low, kink, high] if low < kink < high else [low, high]
        top.plot(xs, [hinge_bp(fit, x) for x in xs], color="tab:red", linewidth=1.6,
                 label=f"fit of {fit['week_ending']}: floor {kink:,.0f} bn, "
                       f"{float(fit['spread_slope_bp_per_100bn']):.1f} bp per 100 bn below it, "
                       f"R² {float(fit['fit_r_squared']):.2f}")
        top.axvline(kink, color="tab:red", linestyle="--", linewidth=0.8)
    if fixed_floor_bn is not None:
        top.axvline(fixed_floor_bn, color="grey", linestyle=":", linewidth=1.0,
                    label=f"fixed floor {fixed_floor_bn:,.0f} bn")
    top.set_xlabel("reserves (FRED WRESBAL, week average), USD bn")
    top.set_ylabel("SOFR − IORB, week average, bp")
    top.set_title(f"Reserves against SOFR − IORB, with the estimated floor{synthetic}")
    top.legend(loc="upper right", fontsize=7, ncol=2)
    weeks = [r["week_ending"] for r in rows]
    bottom.plot(weeks, [float(r["reserves_bn"]) for r in rows], color="black", linewidth=1.0, label="reserves")
    bottom.plot(weeks, [float("nan") if r.get("reserve_floor_estimate_bn") is None else float(r["reserve_floor_estimate_bn"])
                        for r in rows], color="tab:red", linewidth=1.4, label="estimated floor (as known each week)")
    if fixed_floor_bn is not None:
        bottom.axhline(fixed_floor_bn, color="grey", linestyle=":", linewidth=1.0, label="fixed floor")
    bottom.set_ylabel("USD bn")
    bottom.set_title(f"The floor as estimated each week{synthetic}")
    bottom.legend(loc="best", fontsize=8)
    return figure_png(figure)
