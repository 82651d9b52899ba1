"""The report page's daily bathtub: a plot of net liquidity with the nowcast's error band (the p90 of
|error| the error mart scored), drawn around the nowcast days only, and the error table by year."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest

from reverse_qe.reports import page, plots

P90 = 37.5


def daily_rows(synthetic: bool = True) -> list[dict]:
    start = dt.date(2022, 1, 3)  # a Monday
    rows = []
    for i in range(30):
        day = start + dt.timedelta(days=i)
        if day.weekday() >= 5:
            continue
        rows.append({"business_date": day, "is_nowcast": day.weekday() != 2, "net_liquidity_bn": 6000.0 + i,
                     "fed_total_assets_bn": 8800.0, "reserves_bn": 3800.0 - i, "tga_bn": 700.0 + i,
                     "on_rrp_bn": 1700.0, "idle_pool_bn": 2600.0, "is_synthetic": synthetic})
    return rows


def error_rows(p90: float | None = P90) -> list[dict]:
    return [{"horizon": horizon, "period": period, "weeks_scored": 4, "net_liquidity_abs_error_median_bn": 12.25,
             "net_liquidity_abs_error_p90_bn": p90 if horizon == "same_day" else 80.0,
             "net_liquidity_error_mean_bn": 1.5, "net_liquidity_meets_target": True,
             "reserves_abs_error_median_bn": 14.0, "reserves_abs_error_p90_bn": 41.0, "reserves_error_mean_bn": -2.0,
             "is_synthetic": True}
            for horizon in ("same_day", "business_day_before") for period in ("2022", "all")]


def test_the_band_is_the_p90_of_same_day_errors_over_all_weeks():
    assert plots.nowcast_error_band_bn(error_rows()) == P90
    assert plots.nowcast_error_band_bn([]) is None
    assert plots.nowcast_error_band_bn(error_rows(p90=None)) is None


def test_the_band_surrounds_the_nowcast_days_only(monkeypatch):
    """The filled band spans level ± p90 on nowcast days and is absent on the H.4.1 Wednesdays."""
    from reverse_qe.reports import png as png_module

    drawn = []

    def recording(fig, **kwargs):
        top = fig.axes[0]
        drawn.append((top.get_title(), [c for c in top.collections], top.get_legend_handles_labels()[1]))
        return png_module.figure_png(fig, **kwargs)

    monkeypatch.setattr(plots, "figure_png", recording)
    rows = daily_rows()
    plots.liquidity_daily_png(rows, error_rows())
    title, collections, labels = drawn[0]
    assert "SYNTHETIC" in title and any("± 38 bn" in label for label in labels)
    (band,) = [c for c in collections if c.get_paths()]
    vertices = [v for path in band.get_paths() for v in path.vertices]
    heights = sorted({round(float(y), 6) for _, y in vertices})
    nowcast_levels = [r["net_liquidity_bn"] for r in rows if r["is_nowcast"]]
    assert min(heights) == pytest.approx(min(nowcast_levels) - P90)
    assert max(heights) == pytest.approx(max(nowcast_levels) + P90)
    from matplotlib.dates import date2num

    xs = {round(float(x), 6) for x, _ in vertices}
    wednesdays = {round(float(date2num(r["business_date"])), 6) for r in rows if not r["is_nowcast"]}
    assert wednesdays and not xs & wednesdays
    # without scored weeks, no band
    drawn.clear()
    plots.liquidity_daily_png(rows, [])
    assert not [c for c in drawn[0][1] if c.get_paths()]


def test_the_page_has_the_daily_section_with_its_plot_and_the_error_table():
    marts = {"fct_liquidity_daily": daily_rows(), "fct_liquidity_nowcast_errors": error_rows()}
    data = page.PageData(marts, {m: len(r) for m, r in marts.items()},
                         {m: list(page.COLUMNS[m]) for m in marts})
    html = page.build_page(data)
    daily = html.split('id="fct_liquidity_daily"', 1)[1].split("</section>", 1)[0]
    (src,) = re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"', daily)
    assert base64.b64decode(src).startswith(b"\x89PNG")
    errors = html.split('id="fct_liquidity_nowcast_errors"', 1)[1].split("</section>", 1)[0]
    assert errors.count("<img") == 1 and errors.count("<tr>") == 1 + 4  # its bars by year, and the table
    assert "<td>same_day</td><td>all</td>" in errors and "37.500" in errors
