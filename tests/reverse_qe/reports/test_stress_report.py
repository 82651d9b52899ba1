"""The score beside the stress composites on the report page: a section with its plot and the
strongest lag of each composite, or the reason when no correlation exists (a corpus without a
score), and the plot labelled SYNTHETIC when its rows are."""

from __future__ import annotations

import base64
import datetime as dt
import re

import duckdb
import pandas as pd

from reverse_qe.reports import page, stress

WEEKS = [dt.date(2024, 1, 3) + dt.timedelta(weeks=i) for i in range(30)]


def _leadlag(correlated: bool) -> list[dict]:
    rows = []
    for lag in range(-3, 4):
        rows.append({"series_id": "NFCI", "composite_name": "NFCI", "lag_weeks": lag, "overlapping_weeks": 30,
                     "correlation": (0.9 - 0.1 * abs(lag - 1)) if correlated else None,
                     "is_strongest": correlated and lag == 1,
                     "null_reason": None if correlated else "no week has an absorption score (most weeks: no TREAST)",
                     "is_synthetic": False})
    return rows


def _data(correlated: bool) -> page.PageData:
    scores = [{"week_ending": w, "score": (40.0 + i) if correlated else None,
               "score_null_reason": None if correlated else "no TREAST", "is_synthetic": False}
              for i, w in enumerate(WEEKS)]
    readings = [{"series_id": "NFCI", "week_ending": w, "value_index": -0.5 + 0.01 * i, "is_synthetic": False}
                for i, w in enumerate(WEEKS)]
    marts = {"fct_capex_absorption": scores, stress.LEADLAG: _leadlag(correlated)}
    return page.PageData(marts, {m: len(r) for m, r in marts.items()}, {m: list(r[0]) for m, r in marts.items()},
                         stress_readings=readings)


def _section(html: str) -> str:
    start = html.index(f'id="{stress.LEADLAG}"')
    return html[start:html.index("</section>", start)]


def test_the_section_shows_the_plot_and_each_composites_strongest_lag():
    section = _section(page.build_page(_data(correlated=True)))
    assert section.count("<img ") == 1 and "Stress composites beside the score" in section
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', section).group(1))
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert "<td>NFCI</td><td class=\"num\">1</td><td class=\"num\">0.900</td>" in section
    assert "SYNTHETIC" not in section


def test_without_a_score_the_section_says_why_and_still_plots_the_composites():
    section = _section(page.build_page(_data(correlated=False)))
    assert section.count("<img ") == 1
    assert "<td>NFCI</td><td>no week has an absorption score (most weeks: no TREAST)</td>" in section


def test_synthetic_rows_are_labelled():
    data = _data(correlated=True)
    data.marts[stress.LEADLAG][0]["is_synthetic"] = True
    assert "SYNTHETIC" in _section(page.build_page(data))


def test_read_readings_is_empty_without_the_table_and_reads_it_when_published(tmp_path):
    with duckdb.connect(str(tmp_path / "copy.duckdb")) as conn:
        assert stress.read_readings(conn) == []
        conn.execute("create schema intermediate")
        conn.execute("create table intermediate.int_stress__composites_weekly as select 'NFCI' as series_id, "
                     "date '2024-01-03' as week_ending, -0.5::double as value_index, false as is_synthetic, "
                     "date '2023-12-29' as observation_date")
        assert stress.read_readings(conn) == [{"series_id": "NFCI", "week_ending": dt.date(2024, 1, 3),
                                               "value_index": -0.5, "is_synthetic": False}]


def test_the_run_summary_quotes_the_strongest_lags_and_each_episode_or_why_not():
    from reverse_qe.reports.summary import stress_composites

    conn = duckdb.connect()
    conn.execute("create schema marts")
    conn.register("leadlag", pd.DataFrame(_leadlag(correlated=True)))
    conn.execute("create table marts.fct_stress_composite_leadlag as select * from leadlag")
    conn.execute("create table marts.fct_stress_episodes as select * from (values "
                 "('repo_spike_2019', date '2019-09-16', 'NFCI', -0.49, null, 'crowding_out', 1, 2), "
                 "('repo_spike_2019', date '2019-09-16', 'absorption_score', null, 'no TREAST', 'crowding_out', 1, 2)) "
                 "as t(episode_id, starts_on, series_id, reading_peak, null_reason, regime_held_most_weeks, "
                 "crowding_out_weeks, absorption_weeks)")
    lines = stress_composites(conn)
    assert lines[1].split() == ["composite", "weeks", "r", "at", "lag", "0", "strongest", "lag", "r", "there"]
    assert lines[2].split() == ["NFCI", "30", "0.80", "+1", "0.90"]
    assert lines[4].split()[:3] == ["episode", "NFCI", "score"]
    assert lines[5].split() == ["repo_spike_2019", "-0.49", "–", "crowding_out", "1/2"]
    assert lines[6] == "  score –: no TREAST"
    conn.register("unscored", pd.DataFrame(_leadlag(correlated=False)))
    conn.execute("create or replace table marts.fct_stress_composite_leadlag as select * from unscored")
    assert stress_composites(conn)[1] == "  NFCI: no correlation: no week has an absorption score (most weeks: no TREAST)"
