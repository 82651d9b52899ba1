"""Plots of the marts that had none: the bathtub, hyperscaler funding, the divergence (over time and
by regime) and the chain's holders. Pure: rows (dicts, numbers as float or None) in, PNG bytes out;
every plot of synthetic rows says SYNTHETIC in its title. No Dagster, no DuckDB.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from reverse_qe.reports.absorption import REGIME_COLOURS, REGIME_LABELS, shade_regimes
from reverse_qe.reports.png import cached_png, figure_png, pyplot
from reverse_qe.reports.png import rows_synthetic_label as _synthetic
from reverse_qe.reports.png import series as _series

Rows = Sequence[Mapping[str, Any]]
COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:grey")


@cached_png
def bathtub_png(rows: Rows) -> bytes:
    """The bathtub's level (net liquidity) and the 13-week change of it split into the tap (Fed
    assets), the Treasury drain (TGA) and the reverse-repo release (ON RRP)."""
    plt = pyplot()
    weeks = [r["week_ending"] for r in rows]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [1, 1]})
    top.plot(weeks, _series(rows, "net_liquidity_bn"), color="black", linewidth=1.4,
             label="level: net liquidity = Fed assets − TGA − ON RRP")
    top.set_ylabel("USD bn")
    top.set_title(f"Liquidity bathtub: level and its 13-week change{_synthetic(rows)}")
    top.legend(loc="best", fontsize=8)
    for column, label, colour in (("tap_13w_bn", "tap (Fed assets)", "tab:blue"),
                                  ("treasury_drain_13w_bn", "Treasury drain (− TGA change)", "tab:red"),
                                  ("rrp_release_13w_bn", "reverse-repo release (− ON RRP change)", "tab:green")):
        bottom.plot(weeks, _series(rows, column), color=colour, linewidth=1.0, label=label)
    bottom.plot(weeks, _series(rows, "net_liquidity_change_13w_bn"), color="black", linewidth=1.4,
                linestyle="--", label="13-week change of the level (= the sum)")
    bottom.axhline(0, color="grey", linewidth=0.6)
    bottom.set_ylabel("13-week change, USD bn")
    bottom.legend(loc="best", fontsize=8, ncol=2)
    return figure_png(figure)


@cached_png
def idle_pool_png(rows: Rows) -> bytes:
    """The idle pool (ON RRP + reserves above the floor, with the floor's sensitivity band) against
    the demand for funds over 13 weeks (private Treasury supply + hyperscaler external funding)."""
    plt = pyplot()
    weeks = [r["week_ending"] for r in rows]
    figure, axis = plt.subplots(figsize=(9, 3.8))
    axis.fill_between(weeks, _series(rows, "idle_pool_if_floor_higher_bn"),
                      _series(rows, "idle_pool_if_floor_lower_bn"),
                      color="tab:blue", alpha=0.15, linewidth=0, label="idle pool with the floor ∓ its band")
    axis.plot(weeks, _series(rows, "idle_pool_bn"), color="tab:blue", linewidth=1.4,
              label="idle pool = ON RRP + reserves above the floor")
    if any(r.get("idle_pool_estimated_floor_bn") is not None for r in rows):
        axis.plot(weeks, _series(rows, "idle_pool_estimated_floor_bn"), color="tab:blue", linewidth=1.0,
                  linestyle="--", label="idle pool at the estimated floor")
    axis.plot(weeks, _series(rows, "demand_for_funds_13w_bn"), color="tab:red", linewidth=1.4,
              label="demand for funds, 13 weeks (D13 + F13)")
    axis.plot(weeks, _series(rows, "private_treasury_supply_13w_bn"), color="tab:red", linewidth=0.8,
              linestyle=":", label="of which private Treasury supply (D13)")
    axis.plot(weeks, _series(rows, "hyperscaler_funding_13w_bn"), color="tab:purple", linewidth=0.8,
              linestyle="--", label="of which hyperscaler funding (F13)")
    axis.set_ylabel("USD bn")
    axis.set_title(f"Idle pool against demand for funds{_synthetic(rows)}")
    axis.legend(loc="best", fontsize=8)
    return figure_png(figure)


@cached_png
def funding_png(rows: Rows) -> bytes:
    """Per company and calendar quarter: capex (top) and external funding (bottom, stacked)."""
    plt = pyplot()
    tickers = sorted({r["ticker"] for r in rows})
    quarters = sorted({r["calendar_quarter_end"] for r in rows})
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    for i, ticker in enumerate(tickers):
        own = sorted((r for r in rows if r["ticker"] == ticker), key=lambda r: r["calendar_quarter_end"])
        top.plot([r["calendar_quarter_end"] for r in own], _series(own, "capex_bn"), marker="o", markersize=3,
                 linewidth=1.2, color=COLOURS[i % len(COLOURS)], label=ticker)
    top.set_ylabel("capex, USD bn")
    top.set_title(f"Hyperscaler capex and external funding by company{_synthetic(rows)}")
    top.legend(loc="upper left", fontsize=8, ncol=len(tickers))
    base = [0.0] * len(quarters)
    index = {q: i for i, q in enumerate(quarters)}
    for i, ticker in enumerate(tickers):
        heights = [0.0] * len(quarters)
        for r in rows:
            if r["ticker"] == ticker and r.get("external_funding_bn") is not None:
                heights[index[r["calendar_quarter_end"]]] = float(r["external_funding_bn"])
        bottom.bar(quarters, heights, bottom=base, width=60, color=COLOURS[i % len(COLOURS)], label=ticker)
        base = [b + h for b, h in zip(base, heights)]
    bottom.set_ylabel("external funding, USD bn")
    bottom.set_xlabel("calendar quarter end")
    return figure_png(figure)


@cached_png
def divergence_png(rows: Rows, regimes: Mapping[Any, Any]) -> bytes:
    """Cumulative weekly returns of the speculative and near-cash-flow baskets and their spread, on
    the absorption regime known each week (``regimes``: week -> regime)."""
    plt = pyplot()
    weeks = [r["week_ending"] for r in rows]

    def cumulative(column):
        level, out = 1.0, []
        for value in _series(rows, column):
            level *= 1 + (0.0 if value != value else value) / 100
            out.append(100 * (level - 1))
        return out

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    bands = shade_regimes(top, weeks, [{"regime": regimes.get(w)} for w in weeks])
    shade_regimes(bottom, weeks, [{"regime": regimes.get(w)} for w in weeks])
    (spec,) = top.plot(weeks, cumulative("speculative_return_pct"), color="tab:red", linewidth=1.2,
                       label="speculative basket")
    (near,) = top.plot(weeks, cumulative("near_cash_flow_return_pct"), color="tab:blue", linewidth=1.2,
                       label="near-cash-flow basket")
    top.axhline(0, color="grey", linewidth=0.6)
    top.set_ylabel("cumulative return, %")
    top.set_title(f"Divergence of the baskets, on the absorption regime{_synthetic(rows)}")
    top.legend(handles=[spec, near, *bands], loc="upper left", fontsize=8, ncol=5)
    spread = _series(rows, "spread_pp")
    bottom.bar(weeks, spread, width=6, color="#999999", label="weekly spread")
    mean = [sum(w) / len(w) for w in (spread[max(0, i - 12):i + 1] for i in range(len(spread)))]
    bottom.plot(weeks, mean, color="black", linewidth=1.2, label="13-week mean")
    bottom.axhline(0, color="grey", linewidth=0.6)
    bottom.set_ylabel("spread, pp")
    bottom.legend(loc="lower left", fontsize=8, ncol=2)
    return figure_png(figure)


@cached_png
def divergence_by_regime_png(rows: Rows) -> bytes:
    """Mean spread over the 13 weeks after each week, by the regime of that week, with its range."""
    plt = pyplot()
    order = [r for r in REGIME_COLOURS if any(x["regime"] == r for x in rows)]
    order += sorted({x["regime"] for x in rows} - set(order), key=str)
    by = {r["regime"]: r for r in rows}
    means = [float(by[r]["mean_forward_13w_spread_pp"] or 0.0) for r in order]
    low = [m - float(by[r]["min_forward_13w_spread_pp"] or m) for r, m in zip(order, means)]
    high = [float(by[r]["max_forward_13w_spread_pp"] or m) - m for r, m in zip(order, means)]
    figure, axis = plt.subplots(figsize=(7, 3.4))
    labels = [f"{REGIME_LABELS.get(r, r)}\n({by[r]['weeks']} weeks)" for r in order]
    colours = [REGIME_COLOURS.get(r, "#dddddd") for r in order]
    axis.bar(labels, means, color=colours, edgecolor="black", linewidth=0.6, yerr=[low, high], capsize=6)
    axis.axhline(0, color="grey", linewidth=0.8)
    axis.set_ylabel("mean forward 13-week spread, pp")
    axis.set_title(f"Speculative minus near-cash-flow, 13 weeks after, by regime{_synthetic(rows)}", fontsize=10)
    return figure_png(figure)


@cached_png
def holders_png(rows: Rows, *, top: int = 10) -> bytes:
    """The holders whose forced sales cause the most losses to others (latest quarter), by type."""
    plt = pyplot()
    shown = sorted(rows, key=lambda r: -(r.get("systemicness_share_pct") or 0.0))[:top][::-1]
    types = sorted({r["holder_type"] for r in shown}, key=str)
    colour = {t: COLOURS[i % len(COLOURS)] for i, t in enumerate(types)}
    figure, axis = plt.subplots(figsize=(7, 0.9 + 0.32 * max(len(shown), 1)))
    names = [str(r.get("filer_name") or r.get("cik")) for r in shown]
    axis.barh(names, _series(shown, "systemicness_share_pct"), color=[colour[r["holder_type"]] for r in shown])
    from matplotlib.patches import Patch

    axis.legend(handles=[Patch(color=colour[t], label=t) for t in types], fontsize=8, loc="lower right")
    axis.set_xlabel("share of all losses caused this quarter, %")
    quarter = shown[-1]["quarter_end"] if shown else ""
    axis.set_title(f"Holder systemicness, {quarter}{_synthetic(rows)}", fontsize=10)
    return figure_png(figure)


# --- the daily bathtub and its nowcast (marts.fct_liquidity_daily, fct_liquidity_nowcast_errors) ---
def nowcast_error_band_bn(errors: Rows, horizon: str = "same_day") -> float | None:
    """The half-width of the nowcast's band: the 90th percentile of |error| of net liquidity over
    every scored Wednesday (period 'all') at ``horizon``; None before any Wednesday is scored."""
    found = [r for r in errors if r.get("horizon") == horizon and r.get("period") == "all"]
    value = found[0].get("net_liquidity_abs_error_p90_bn") if found else None
    return None if value is None else float(value)


@cached_png
def nowcast_errors_png(errors: Rows) -> bytes:
    """Median and p90 of the nowcast's |error| of net liquidity by year, one pair of bars per horizon;
    a hatched bar is a year whose median or p90 misses its target (``net_liquidity_meets_target``)."""
    plt = pyplot()
    periods = sorted({str(r["period"]) for r in errors}, key=lambda p: (p == "all", p))
    horizons = [h for h in ("same_day", "business_day_before") if any(r["horizon"] == h for r in errors)]
    figure, axis = plt.subplots(figsize=(9, 3.6))
    width = 0.8 / (2 * max(1, len(horizons)))
    colours = {"same_day": ("tab:blue", "lightsteelblue"), "business_day_before": ("tab:orange", "navajowhite")}
    for h, horizon in enumerate(horizons):
        by_period = {str(r["period"]): r for r in errors if r["horizon"] == horizon}
        for k, (column, label) in enumerate((("net_liquidity_abs_error_median_bn", "median"),
                                             ("net_liquidity_abs_error_p90_bn", "p90"))):
            found = [(i, by_period[p]) for i, p in enumerate(periods) if by_period.get(p, {}).get(column) is not None]
            axis.bar([i + (2 * h + k - len(horizons) + 0.5) * width for i, _ in found],
                     [float(r[column]) for _, r in found], width, color=colours[horizon][k],
                     hatch=["" if r.get("net_liquidity_meets_target") else "//" for _, r in found],
                     edgecolor="black", linewidth=0.4, label=f"{horizon.replace('_', ' ')}: {label}")
    axis.set_xticks(range(len(periods)), periods)
    axis.set_ylabel("|error| of net liquidity, USD bn")
    axis.set_title(f"Nowcast against the H.4.1 that followed, by year (hatched: misses its target)"
                   f"{_synthetic(errors)}", fontsize=10)
    axis.legend(loc="best", fontsize=8, ncol=2)
    return figure_png(figure)


@cached_png
def liquidity_daily_png(rows: Rows, errors: Rows, *, recent_days: int = 91) -> bytes:
    """Top: the last ``recent_days`` days (13 weeks) of net liquidity, the H.4.1 Wednesdays marked,
    with the band of the nowcast's error (± the p90 of |error| scored on Wednesdays) around the days
    it is nowcast. Bottom: the whole history of net liquidity and its parts (the TGA and ON RRP
    observed, Fed assets and reserves nowcast between Wednesdays)."""
    plt = pyplot()
    band = nowcast_error_band_bn(errors)
    last = max(r["business_date"] for r in rows)
    recent = [r for r in rows if (last - r["business_date"]).days < recent_days]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.6), gridspec_kw={"height_ratios": [1, 1]})
    days, level = [r["business_date"] for r in recent], _series(recent, "net_liquidity_bn")
    if band is not None:
        top.fill_between(days, [v - band for v in level], [v + band for v in level],
                         where=[bool(r.get("is_nowcast")) for r in recent], color="tab:blue", alpha=0.2, linewidth=0,
                         label=f"nowcast ± {band:,.0f} bn (p90 of |error| on the H.4.1 Wednesdays)")
    top.plot(days, level, color="tab:blue", linewidth=1.2, marker=".", markersize=3,
             label="net liquidity, each business day (nowcast between H.4.1s)")
    observed = [r for r in recent if not r.get("is_nowcast")]
    top.plot([r["business_date"] for r in observed], _series(observed, "net_liquidity_bn"), linestyle="none",
             marker="o", markersize=5, color="black", label="H.4.1 Wednesday (= the weekly bathtub)")
    top.set_ylabel("USD bn")
    top.set_title(f"Daily bathtub, last 13 weeks: net liquidity and the nowcast's error band{_synthetic(rows)}",
                  fontsize=10)
    top.legend(loc="best", fontsize=8)
    every_day = [r["business_date"] for r in rows]
    bottom.plot(every_day, _series(rows, "net_liquidity_bn"), color="tab:blue", linewidth=1.2, label="net liquidity")
    for column, label, colour in (("fed_total_assets_bn", "Fed assets", "tab:purple"),
                                  ("reserves_bn", "reserves", "tab:green"),
                                  ("tga_bn", "TGA", "tab:red"), ("on_rrp_bn", "ON RRP", "tab:orange")):
        bottom.plot(every_day, _series(rows, column), color=colour, linewidth=0.8, label=label)
    bottom.set_ylabel("USD bn")
    bottom.set_title("Every business day: net liquidity and its parts", fontsize=10)
    bottom.legend(loc="best", fontsize=8, ncol=5)
    return figure_png(figure)
