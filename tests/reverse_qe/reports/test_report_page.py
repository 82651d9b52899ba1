"""The report page builder: self-contained (every image a data URI, no address outside the file),
one section per mart, and every plot of synthetic rows labelled SYNTHETIC."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import duckdb
import pytest

from reverse_qe.reports import (
    absorption,
    chain,
    chain_units_plots,
    page,
    plots,
    policy_plots,
    reserve_floor,
    securities_plots,
    stress,
)
from reverse_qe.warehouse import publish_copy
from tests import handmade_warehouse

IMG_SRC = re.compile(r'<img [^>]*src="([^"]*)"')
DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


def page_data(tmp_path: Path, *, coverage: bool = False, extra_sql: str = "") -> page.PageData:
    warehouse = handmade_warehouse.build(tmp_path / "reverse_qe.duckdb", coverage=coverage)
    target = tmp_path / "published.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        if extra_sql:
            conn.execute(extra_sql)
        publish_copy(conn, target, run_id="run-123", source_mode="scenario", code_version="abc123",
                     date_columns=handmade_warehouse.DATE_COLUMNS)
    with duckdb.connect(str(target), read_only=True) as conn:
        return page.read_page_data(conn)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[page.PageData, str]:
    data = page_data(tmp_path_factory.mktemp("page"), coverage=True)
    return data, page.build_page(data)


def test_every_image_is_an_inline_png(built):
    _, html = built
    sources = IMG_SRC.findall(html)
    # score, bathtub (2), alerts, what-ifs, funding, divergence, divergence by regime, chain, chain bands,
    # asset groups, holders, 13F units, 13F unit exceptions, daily bathtub, nowcast errors, reserve floor,
    # security map coverage, value by asset group, stress composites, stress episodes
    assert len(sources) == html.count("<img ") == 21
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 3000
        assert b"http" not in png  # no Software chunk naming matplotlib's web site


def test_the_page_names_no_address_outside_itself(built):
    _, html = built
    assert "http" not in DATA_URI.sub("", html).lower()
    attributes = re.findall(r'\b(?:src|href|action|poster|srcset)="([^"]*)"', html)
    assert attributes and all(a.startswith(("data:", "#")) for a in attributes), attributes
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html


def test_one_section_per_mart_in_the_copy(built):
    data, html = built
    sections = re.findall(r'<section class="mart" id="([^"]+)" data-mart="marts\.([^"]+)">', html)
    assert [a for a, b in sections] == [b for a, b in sections]
    expected = {*handmade_warehouse.MARTS, "fct_source_coverage"}
    assert set(data.marts) == expected
    assert sorted(b for _, b in sections) == sorted(expected)  # each once
    assert [a for a, _ in sections][:2] == ["fct_capex_absorption", "fct_liquidity_bathtub"]  # the answer first
    coverage = html.split('id="fct_source_coverage"', 1)[1].split("</section>", 1)[0]
    assert "<table>" in coverage and "coinbase_daily_candles" in coverage and "<img" not in coverage


def section(html: str, mart: str) -> str:
    return html.split(f'id="{mart}"', 1)[1].split("</section>", 1)[0]


def test_every_mart_of_the_copy_has_a_plot(built):
    """Each mart's section draws its rows (coverage is a table): none is left listing its columns."""
    _, html = built
    for mart in handmade_warehouse.MARTS:
        body = section(html, mart)
        assert "<img " in body and "rows; columns:" not in body, mart
    assert "has no plot for yet" not in html


def test_the_what_if_section_counts_crowding_out_weeks_per_path_against_the_observed(built):
    data, html = built
    (row,) = policy_plots.whatif_table(data.marts["fct_policy_whatif"])  # the baseline is the observed column
    path, _, weeks, on_path, observed, latest, latest_observed = row
    assert (path, weeks) == (handmade_warehouse.WHATIF_PATH, handmade_warehouse.WEEKS - 13)
    assert (on_path, observed) == (handmade_warehouse.WHATIF_CROWDING_OUT_WEEKS[path],
                                   handmade_warehouse.WHATIF_CROWDING_OUT_WEEKS["baseline"])
    assert (latest, latest_observed) == (handmade_warehouse.LATEST_SCORE - 10, handmade_warehouse.LATEST_SCORE)
    body = section(html, "fct_policy_whatif")
    assert f"<td>{handmade_warehouse.WHATIF_PATH}</td>" in body and "<td>baseline</td>" not in body


def test_the_alerts_and_exceptions_sections_list_their_rows(built):
    _, html = built
    alerts = section(html, "fct_absorption_alerts")
    assert "held regime tightening -&gt; crowding out" in alerts and "score below 50 -&gt; above 50" in alerts
    assert alerts.index("2025-08-13") < alerts.index("2025-06-04")  # the newest first
    exceptions = section(html, "fct_13f_unit_exceptions")
    assert exceptions.count("<tr>") == 1 + 2 and "0000000002-25-000002" in exceptions


def test_header_shows_the_publication_status_and_the_synthetic_banner(built):
    _, html = built
    assert 'class="banner">SYNTHETIC' in html
    assert "run run-123 · sources scenario · code abc123" in html
    assert "Latest week 2025-10-01 (SYNTHETIC scenario): regime crowding_out, score 71.5" in html
    assert html.count('<span class="synthetic">SYNTHETIC</span>') == len(handmade_warehouse.MARTS)


def test_a_mart_without_rows_or_without_a_plot_still_gets_its_section(tmp_path):
    data = page_data(tmp_path, extra_sql="delete from marts.fct_divergence_by_regime; "
                                          "create table marts.fct_new_idea as select 1 as x, 'a' as y")
    html = page.build_page(data)
    empty = section(html, "fct_divergence_by_regime")
    assert "No rows yet." in empty and "<img" not in empty
    new = section(html, "fct_new_idea")
    assert "1 rows; columns: x, y." in new
    assert html.count('<section class="mart"') == len(handmade_warehouse.MARTS) + 1


def test_every_plot_of_synthetic_rows_says_synthetic(built, monkeypatch):
    """Each figure the page draws has SYNTHETIC in a title (read from the figure before it is saved)."""
    from reverse_qe.reports import png as png_module

    titles = []

    def recording(fig, **kwargs):
        titles.append(" | ".join(axis.get_title() for axis in fig.axes) + (fig._suptitle.get_text() if fig._suptitle else ""))
        return png_module.figure_png(fig, **kwargs)

    for module in (absorption, chain, plots, policy_plots, chain_units_plots, reserve_floor,
                   securities_plots, stress):
        monkeypatch.setattr(module, "figure_png", recording)
    data, html = built
    page.build_page(data)
    assert len(titles) == html.count("<img ")
    assert all("SYNTHETIC" in title for title in titles), titles
    real = page.PageData({m: [{**r, "is_synthetic": False} for r in rows] for m, rows in data.marts.items()},
                         data.row_counts, data.columns)
    titles.clear()
    assert "banner" not in page.build_page(real).split("<main>")[0].split("</style>")[1]
    assert titles and not any("SYNTHETIC" in title for title in titles), titles
