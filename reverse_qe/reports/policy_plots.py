"""Plots of the policy marts: the what-if paths against the baseline, and the alerts on the score.

Pure: rows (dicts, numbers as float or None) in, PNG bytes out; every plot of synthetic rows says
SYNTHETIC in its title. No Dagster, no DuckDB.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from reverse_qe.reports.absorption import REGIME_COLOURS, REGIME_LABELS, shade_regimes
from reverse_qe.reports.png import cached_png, figure_png, pyplot, rows_synthetic_label, series

Rows = Sequence[Mapping[str, Any]]
BASELINE_PATH = "baseline"  # fct_policy_whatif: the path that is the observed weeks (drawn from baseline_*)


def _baseline(rows: Rows, column: str) -> tuple[list, list[float]]:
    """The observed weeks and ``baseline_<column>``: every path's row carries them, the same each week."""
    by_week = {r["week_ending"]: r for r in rows}
    weeks = sorted(by_week)
    return weeks, series([by_week[w] for w in weeks], f"baseline_{column}")


def whatif_paths(rows: Rows) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Each path but the baseline with its rows by week, the path leaving the most idle money at
    its last week first (the order of the legend)."""
    paths: dict[str, list] = {}
    for row in rows:
        if row["path_name"] != BASELINE_PATH:
            paths.setdefault(row["path_name"], []).append(row)
    ordered = [(name, sorted(own, key=lambda r: r["week_ending"])) for name, own in paths.items()]
    return sorted(ordered, key=lambda p: (-(p[1][-1].get("idle_pool_bn") or 0.0), p[0]))


@cached_png
def whatif_png(rows: Rows) -> bytes:
    """The idle pool (top) and the score (bottom) on each policy path, against the baseline (the
    observed weeks, black): how much buying it takes to keep idle money in the pool."""
    plt = pyplot()
    paths = whatif_paths(rows)
    colours = plt.get_cmap("viridis")
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(10.5, 6.5), sharex=True)
    for i, (name, own) in enumerate(paths):
        colour = colours(i / max(len(paths) - 1, 1))
        weeks = [r["week_ending"] for r in own]
        top.plot(weeks, series(own, "idle_pool_bn"), color=colour, linewidth=1.0, label=name)
        bottom.plot(weeks, series(own, "score"), color=colour, linewidth=1.0)
    weeks, idle = _baseline(rows, "idle_pool_bn")
    top.plot(weeks, idle, color="black", linewidth=2.0, label="baseline (observed)")
    weeks, score = _baseline(rows, "score")
    bottom.plot(weeks, score, color="black", linewidth=2.0)
    bottom.axhline(50, color="grey", linewidth=0.8, linestyle="--", label="50: weighted z = 0")
    top.axhline(0, color="grey", linewidth=0.6)
    top.set_ylabel("idle pool, USD bn")
    top.set_title(f"Policy what-ifs: idle pool and score on each path against the baseline{rows_synthetic_label(rows)}",
                  fontsize=10)
    bottom.set_ylim(0, 100)
    bottom.set_ylabel("score (0-100)")
    bottom.set_xlabel("week ending")
    bottom.legend(loc="lower left", fontsize=8)
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, title="path", title_fontsize=8)
    return figure_png(figure)


def whatif_table(rows: Rows) -> list[tuple[Any, ...]]:
    """Per path: its start, its weeks, the crowding-out weeks on it and observed over those weeks,
    and the latest week's score on it and observed (rows for the page's table, the plot's order)."""
    table = []
    for name, own in whatif_paths(rows):
        latest = own[-1]
        table.append((name, own[0]["starts_on"], len(own), sum(r.get("regime") == "crowding_out" for r in own),
                      sum(r.get("baseline_regime") == "crowding_out" for r in own), latest.get("score"),
                      latest.get("baseline_score")))
    return table


@cached_png
def alerts_png(alerts: Rows, absorption_rows: Rows) -> bytes:
    """The score over time (``absorption_rows``: week_ending, score, regime_held) on the held regime,
    with the thresholds, each held crossing (triangle up or down) and each change of the held regime
    (a vertical line in the new regime's colour): what the monitor alerted on, and when."""
    from matplotlib.lines import Line2D

    plt = pyplot()
    scored = [r for r in absorption_rows if r.get("score") is not None]
    weeks = [r["week_ending"] for r in scored]
    figure, axis = plt.subplots(figsize=(9, 4.2))
    handles = shade_regimes(axis, weeks, [{"regime": r.get("regime_held")} for r in scored])
    if scored:
        (line,) = axis.plot(weeks, series(scored, "score"), color="black", linewidth=1.0, label="score")
        handles.insert(0, line)
    thresholds = sorted({float(a["threshold"]) for a in alerts if a.get("threshold") is not None})
    for threshold in thresholds:
        axis.axhline(threshold, color="grey", linewidth=0.8, linestyle="--")
    if thresholds:
        handles.append(Line2D([], [], color="grey", linewidth=0.8, linestyle="--",
                              label="thresholds " + ", ".join(f"{t:g}" for t in thresholds)))
    crossings = [a for a in alerts if a["alert_kind"] == "score_crossing"]
    for side, marker, colour in (("above", "^", "tab:red"), ("below", "v", "tab:blue")):
        own = [a for a in crossings if str(a.get("to_value") or "").startswith(side)]
        if own:
            handles.append(axis.scatter([a["week_ending"] for a in own], series(own, "score"), marker=marker, s=60,
                                        color=colour, edgecolor="black", linewidth=0.6, zorder=3,
                                        label=f"score crossing, now {side}"))
    changes = [a for a in alerts if a["alert_kind"] == "regime_change"]
    for change in changes:
        axis.axvline(change["week_ending"], color=REGIME_COLOURS.get(change["to_value"], "grey"), linewidth=2.2,
                     zorder=1)
        axis.axvline(change["week_ending"], color="black", linewidth=0.6, linestyle=":", zorder=2)
    if changes:
        handles.append(Line2D([], [], color="black", linewidth=0.6, linestyle=":",
                              label="held regime changes (to the band after it)"))
    axis.set_ylim(0, 100)
    axis.set_ylabel("score (0-100)")
    axis.set_xlabel("week ending")
    axis.set_title(f"Alerts: {len(changes)} held-regime changes and {len(crossings)} score crossings"
                   f"{rows_synthetic_label(alerts)}", fontsize=10, pad=30)
    axis.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=7, frameon=False,
                ncol=min(len(handles), 4), borderaxespad=0.2)
    return figure_png(figure)


def alert_label(alert: Mapping[str, Any]) -> str:
    """``held regime ample -> crowding out`` or ``score below 84 -> above 84``."""
    if alert["alert_kind"] == "regime_change":
        return (f"held regime {REGIME_LABELS.get(alert['from_value'], alert['from_value'])} -> "
                f"{REGIME_LABELS.get(alert['to_value'], alert['to_value'])}")
    return f"score {alert['from_value']} -> {alert['to_value']}"
