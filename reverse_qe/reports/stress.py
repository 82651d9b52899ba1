"""The absorption score beside the stress composites: one plot of both over time and of their
correlation at each lead/lag (``marts.fct_stress_composite_leadlag``).

:func:`read_readings` is the only function touching DuckDB (the published copy, through a
connection it is given); :func:`score_beside_composites_png` is pure, rows in and PNG bytes out.
No Dagster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from reverse_qe.reports.png import cached_png, figure_png, pyplot, synthetic_label

Rows = Sequence[Mapping[str, Any]]
LEADLAG = "fct_stress_composite_leadlag"
LEADLAG_COLUMNS = ("series_id", "composite_name", "lag_weeks", "overlapping_weeks", "correlation", "is_strongest",
                   "null_reason", "is_synthetic")
READINGS = "int_stress__composites_weekly"  # published with the intermediate tables
COLOURS = {"STLFSI4": "tab:red", "NFCI": "tab:blue", "NFCIRISK": "tab:purple", "NFCICREDIT": "tab:green",
           "NFCILEVERAGE": "tab:brown", "ANFCI": "tab:cyan"}


def read_readings(conn) -> list[dict[str, Any]]:
    """Every composite's reading by the week it is known in (empty when the copy has none)."""
    present = conn.execute("select count(*) from information_schema.tables where table_schema = 'intermediate' "
                           "and table_name = ?", [READINGS]).fetchone()[0]
    if not present:
        return []
    cursor = conn.execute(f"select series_id, week_ending, value_index, is_synthetic from intermediate.{READINGS} "
                          "order by series_id, week_ending")
    names = [d[0] for d in cursor.description]
    return [{n: float(v) if isinstance(v, Decimal) else v for n, v in zip(names, row)} for row in cursor.fetchall()]


def _by_series(rows: Rows, x: str, y: str) -> dict[str, tuple[list, list[float]]]:
    series: dict[str, tuple[list, list[float]]] = {}
    for r in rows:
        xs, ys = series.setdefault(r["series_id"], ([], []))
        xs.append(r[x])
        ys.append(float("nan") if r[y] is None else float(r[y]))
    return series


@cached_png
def score_beside_composites_png(scores: Rows, readings: Rows, leadlag: Rows) -> bytes:
    """Top: the score (0-100, left axis) and each composite (index points, right axis) by the week
    it is known in. Bottom: each composite's correlation with the score at every lag (k > 0: the
    composite k weeks later, so a peak there means the score leads), its strongest lag marked."""
    plt = pyplot()
    synthetic = synthetic_label(any(r.get("is_synthetic") for rows in (scores, readings, leadlag) for r in rows))
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), gridspec_kw={"height_ratios": [1.2, 1]})
    scored = [r for r in scores if r.get("score") is not None]
    top.plot([r["week_ending"] for r in scored], [float(r["score"]) for r in scored], color="black", linewidth=1.6,
             label="absorption score (left)")
    top.set_ylim(0, 100)
    top.set_ylabel("score (0-100)")
    if not scored:
        reasons = [r.get("score_null_reason") for r in scores if r.get("score_null_reason")]
        note = max(set(reasons), key=reasons.count) if reasons else "no absorption week"
        top.text(0.01, 0.03, f"no absorption score in any week: {note}"[:110], transform=top.transAxes,
                 fontsize=8, va="bottom")
    right = top.twinx()
    for series_id, (weeks, values) in _by_series(readings, "week_ending", "value_index").items():
        right.plot(weeks, values, color=COLOURS.get(series_id, "tab:grey"), linewidth=0.9, label=f"{series_id} (right)")
    right.axhline(0, color="grey", linewidth=0.5, linestyle=":")
    right.set_ylabel("composite, standard deviations from average")
    handles = top.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    top.legend(handles, [h.get_label() for h in handles], loc="upper left", fontsize=7, ncol=4)
    top.set_title(f"Absorption score beside the stress composites{synthetic}")

    correlated = [r for r in leadlag if r.get("correlation") is not None]
    for series_id, (lags, values) in _by_series(correlated, "lag_weeks", "correlation").items():
        bottom.plot(lags, values, color=COLOURS.get(series_id, "tab:grey"), linewidth=1.0, label=series_id)
    for r in correlated:
        if r.get("is_strongest"):
            bottom.plot([r["lag_weeks"]], [float(r["correlation"])], marker="o",
                        color=COLOURS.get(r["series_id"], "tab:grey"))
    if not correlated:
        reasons = {r["series_id"]: r["null_reason"] for r in leadlag if r.get("null_reason") and r["lag_weeks"] == 0}
        text = "\n".join(f"{s}: {reason}"[:105] for s, reason in sorted(reasons.items())) or "no composite"
        bottom.text(0.01, 0.97, "no correlation:\n" + text, transform=bottom.transAxes, fontsize=7, va="top")
        lags = [r["lag_weeks"] for r in leadlag]
        if lags:
            bottom.set_xlim(min(lags), max(lags))
    else:
        bottom.legend(loc="lower left", fontsize=7, ncol=3)
    bottom.axvline(0, color="grey", linewidth=0.6)
    bottom.axhline(0, color="grey", linewidth=0.6)
    bottom.set_ylim(-1, 1)
    bottom.set_xlabel("lag k, weeks (k > 0: the composite k weeks after the score, so a peak there = the score leads)")
    bottom.set_ylabel("correlation")
    return figure_png(figure)


EPISODES = "fct_stress_episodes"


@cached_png
def episodes_png(rows: Rows) -> bytes:
    """Each named episode against each series: where the series' peak in the episode ranks in its
    own history (``peak_pctile``, 0-100), as a grid; a blank cell is a series with no reading then."""
    plt = pyplot()
    episodes = sorted({(r["starts_on"], r["episode_name"]) for r in rows})
    names = sorted({r["series_id"] for r in rows}, key=lambda s: (s == "absorption_score", s))
    cell = {(r["episode_name"], r["series_id"]): r.get("peak_pctile") for r in rows}
    grid = [[float("nan") if cell.get((e, s)) is None else float(cell[(e, s)]) for s in names] for _, e in episodes]
    figure, axis = plt.subplots(figsize=(9, 1.2 + 0.55 * max(1, len(episodes))))
    image = axis.imshow(grid, cmap="Reds", vmin=0, vmax=100, aspect="auto")
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            axis.text(j, i, "–" if value != value else f"{value:.0f}", ha="center", va="center", fontsize=8,
                      color="white" if value == value and value > 70 else "black")
    axis.set_xticks(range(len(names)), names, fontsize=8, rotation=30, ha="right")
    axis.set_yticks(range(len(episodes)), [e for _, e in episodes], fontsize=8)
    figure.colorbar(image, ax=axis, label="peak's percentile in its own history")
    synthetic = synthetic_label(any(r.get("is_synthetic") for r in rows))
    axis.set_title(f"Named episodes: how high each series peaked{synthetic}", fontsize=10)
    figure.tight_layout()
    return figure_png(figure)
