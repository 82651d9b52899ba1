"""The estimated reserve floor's plot and its section of the report page."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest

from reverse_qe.reports import page, reserve_floor

START = dt.date(2019, 1, 2)


def rows(synthetic: bool = True) -> list[dict]:
    """30 weeks of reserves falling from 2,000 to 1,420 bn, the spread rising below 1,700 bn; the
    last 10 weeks carry a fit (floor 1,700 bn, 5 bp per 100 bn, -2 bp above it)."""
    out = []
    for i in range(30):
        reserves = 2000.0 - 20 * i
        fitted = i >= 20
        out.append({
            "week_ending": START + dt.timedelta(weeks=i), "reserves_bn": reserves,
            "sofr_iorb_spread_bp": -2 + 0.05 * max(0.0, 1700 - reserves),
            "reserve_floor_estimate_bn": 1700.0 if fitted else None,
            "spread_slope_bp_per_100bn": 5.0 if fitted else None,
            "spread_above_floor_bp": -2.0 if fitted else None,
            "fit_r_squared": 0.9 if fitted else None, "weeks_in_window": i + 1,
            "window_start": START, "is_synthetic": synthetic})
    return out


def test_the_hinge_is_flat_above_the_floor_and_rises_below_it():
    fit = reserve_floor.latest_fit(rows())
    assert fit is not None and fit["week_ending"] == START + dt.timedelta(weeks=29)
    assert reserve_floor.hinge_bp(fit, 2500) == reserve_floor.hinge_bp(fit, 1700) == -2.0
    assert reserve_floor.hinge_bp(fit, 1500) == pytest.approx(-2 + 5 * 2)


def test_no_fit_yet_still_draws_the_weeks_and_the_fixed_floor():
    early = [{**r, "reserve_floor_estimate_bn": None} for r in rows(synthetic=False)]
    assert reserve_floor.latest_fit(early) is None
    assert reserve_floor.reserve_floor_png(early, fixed_floor_bn=2900.0).startswith(b"\x89PNG")


def test_the_page_has_a_section_with_the_plot_labelled_synthetic(monkeypatch):
    titles = []
    from reverse_qe.reports import png as png_module

    def recording(fig, **kwargs):
        titles.append(" | ".join(axis.get_title() for axis in fig.axes))
        return png_module.figure_png(fig, **kwargs)

    monkeypatch.setattr(reserve_floor, "figure_png", recording)
    floor_rows = rows()
    data = page.PageData({page.FLOOR: floor_rows}, {page.FLOOR: len(floor_rows)},
                         {page.FLOOR: list(reserve_floor.COLUMNS)})
    html = page.build_page(data)
    section = html.split(f'id="{page.FLOOR}"', 1)[1].split("</section>", 1)[0]
    sources = re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"', section)
    assert len(sources) == 1 and base64.b64decode(sources[0]).startswith(b"\x89PNG")
    assert "Estimated reserve floor" in section and "SYNTHETIC" in section
    assert len(titles) == 1 and titles[0].count("SYNTHETIC") == 2, titles
