"""The capex-absorption score explained: a plot over time and the latest row's components.

Pure functions over rows (dicts) read from ``marts.fct_capex_absorption`` (:func:`read_rows` is the
only one touching DuckDB, through a connection it is given); no Dagster.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Mapping, Sequence

from reverse_qe.reports.png import cached_png, embed_png, figure_png, pyplot, synthetic_label

COLUMNS = (
    "week_ending", "score", "regime", "regime_held", "absorption_ratio", "slack_bn",
    "hyperscaler_funding_13w_bn", "private_treasury_supply_13w_bn",
    "idle_pool_13w_ago_bn", "z_absorption_ratio", "z_neg_slack", "confirmation_z", "weighted_z",
    "z_ig_oas_change_13w_pp", "z_hy_oas_change_13w_pp", "z_yield_10y_change_13w_pp",
    "z_term_premium_change_13w_pp", "z_sofr_iorb_change_13w_pp", "z_auction_stress_13w",
    "score_null_reason", "is_synthetic",
)
COMPONENTS = (  # (column, label, what it means)
    ("score", "Score (0-100)", "100 * Phi(weighted z)"),
    ("regime", "Regime", "ample / tightening / crowding_out from slack and AR"),
    ("hyperscaler_funding_13w_bn", "F13, USD bn", "hyperscaler external funding known that week"),
    ("private_treasury_supply_13w_bn", "D13, USD bn", "private Treasury supply over 13 weeks"),
    ("idle_pool_13w_ago_bn", "Idle pool 13 weeks before, USD bn", "ON RRP + reserves above the floor"),
    ("absorption_ratio", "Absorption ratio AR", "F13 / max(I, epsilon)"),
    ("slack_bn", "Slack S, USD bn", "I - (D13 + F13)"),
    ("z_absorption_ratio", "z(AR)", "expanding window, winsorised"),
    ("z_neg_slack", "z(-S)", "expanding window, winsorised"),
    ("confirmation_z", "Confirmation z", "mean of the confirmation z-scores below"),
    ("z_ig_oas_change_13w_pp", "z(13w change IG OAS)", ""),
    ("z_hy_oas_change_13w_pp", "z(13w change HY OAS)", ""),
    ("z_yield_10y_change_13w_pp", "z(13w change 10y yield)", ""),
    ("z_term_premium_change_13w_pp", "z(13w change term premium)", ""),
    ("z_sofr_iorb_change_13w_pp", "z(13w change SOFR - IORB)", ""),
    ("z_auction_stress_13w", "z(auction stress, 13w)", "positive = weaker auction demand"),
    ("weighted_z", "Weighted z", "weights are dbt vars"),
    ("score_null_reason", "Why no score", ""),
)


def read_rows(conn) -> list[dict[str, Any]]:
    """The mart's rows the report shows, oldest week first."""
    cursor = conn.execute(f"select {', '.join(COLUMNS)} from marts.fct_capex_absorption order by week_ending")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, (float, int, Decimal)) and not isinstance(value, bool):
        return f"{float(value):,.3f}"
    return str(value)


def latest_components_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """A markdown table of the latest week's components (the row the score is explained by)."""
    if not rows:
        return "No rows in marts.fct_capex_absorption yet."
    latest = rows[-1]
    label = synthetic_label(latest.get("is_synthetic"))
    lines = [f"**Week ending {latest['week_ending']}{label}**", "",
             "| component | value | meaning |", "|---|---:|---|"]
    for column, name, meaning in COMPONENTS:
        lines.append(f"| {name} | {_shown(latest.get(column))} | {meaning} |")
    return "\n".join(lines)


def regime_spans(rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, int, int]]:
    """(regime, first index, end index) of each run of consecutive weeks in one regime; a run ends
    where the next begins (the last at the last week), so the bands tile the weeks."""
    spans: list[tuple[Any, int, int]] = []
    for i, row in enumerate(rows):
        if spans and spans[-1][0] == row.get("regime"):
            continue
        if spans:
            spans[-1] = (spans[-1][0], spans[-1][1], i)
        spans.append((row.get("regime"), i, i))
    if spans:
        spans[-1] = (spans[-1][0], spans[-1][1], len(rows) - 1)
    return spans


REGIME_COLOURS = {"ample": "#d9f0d3", "tightening": "#fee8c8", "crowding_out": "#f4cccc"}
REGIME_LABELS = {"ample": "ample", "tightening": "tightening", "crowding_out": "crowding out"}


def shade_regimes(axis, weeks: Sequence[Any], rows: Sequence[Mapping[str, Any]]) -> list:
    """Shade ``axis`` with one band per run of weeks in a regime (``rows`` aligned with ``weeks``) and
    return legend handles for the regimes shown, in the order ample, tightening, crowding out."""
    from matplotlib.patches import Patch

    shown = set()
    for regime, start, end in regime_spans(rows):  # one band per run of weeks, not one per week
        if regime in REGIME_COLOURS:
            axis.axvspan(weeks[start], weeks[end], color=REGIME_COLOURS[regime], linewidth=0, zorder=0)
            shown.add(regime)
    return [Patch(facecolor=REGIME_COLOURS[r], label=REGIME_LABELS[r]) for r in REGIME_COLOURS if r in shown]


@cached_png
def score_plot_png(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """PNG: the score over time on its regime bands, with a reference line at 50 (top), and its main
    components, z(AR), z(-S), confirmation (bottom)."""
    plt = pyplot()
    weeks = [r["week_ending"] for r in rows]

    def series(column):
        return [float("nan") if r.get(column) is None else float(r[column]) for r in rows]

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True,
                                         gridspec_kw={"height_ratios": [3, 2]})
    bands = shade_regimes(top, weeks, rows)
    (score_line,) = top.plot(weeks, series("score"), color="black", linewidth=1.2, label="score")
    reference = top.axhline(50, color="grey", linewidth=0.8, linestyle="--", label="50: weighted z = 0")
    top.set_ylim(0, 100)
    top.set_ylabel("score (0-100)")
    synthetic = synthetic_label(rows and rows[-1].get("is_synthetic"))
    top.set_title(f"Capex-absorption score and components{synthetic}", pad=22)
    # above the plot, so it never hides the score; the bands are the regime of each week
    top.legend(handles=[score_line, reference, *bands], loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=8,
               ncol=2 + len(bands), frameon=False, borderaxespad=0.2, handlelength=1.6, columnspacing=1.2)
    for column, name in (("z_absorption_ratio", "z(AR)"), ("z_neg_slack", "z(-S)"),
                         ("confirmation_z", "confirmation")):
        bottom.plot(weeks, series(column), linewidth=1.0, label=name)
    bottom.axhline(0, color="grey", linewidth=0.6)
    bottom.set_ylabel("z")
    bottom.legend(loc="upper left", fontsize=8, ncol=3)
    return figure_png(figure, dpi=80)


def plot_markdown(png: bytes) -> str:
    return embed_png("capex-absorption score", png)
