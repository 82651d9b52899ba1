"""The lead/lag and episode SQL of the stress composites, run as the project's real SQL in DuckDB
(``tests.dbt_sql``): a composite that is the score shifted by k weeks peaks at lag k, with the sign
the mart documents, for any k and any score history; and the episode mart reads the weeks that
overlap an episode's days.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dbt_sql import render_model

MAX_LAG = 8  # a small grid keeps examples fast; the SQL is the same for 26
MIN_WEEKS = 20
LEADLAG = render_model("marts/fct_stress_composite_leadlag.sql", leadlag_max_weeks=MAX_LAG, leadlag_min_weeks=MIN_WEEKS)
EPISODES = render_model("marts/fct_stress_episodes.sql")
START = dt.date(2024, 1, 3)  # a Wednesday


def _conn(scores: pd.DataFrame, readings: pd.DataFrame, composites=("NFCI",)) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.register("s", scores)
    conn.register("r", readings)
    conn.execute("create table fct_capex_absorption as select * from s")
    conn.execute("create table int_stress__composites_weekly as select * from r")
    conn.execute("create table stress_composites as select unnest(?) as series_id, unnest(?) as composite_name",
                 [list(composites), [f"{c} index" for c in composites]])
    return conn


def leadlag(score: list[float | None], composite: dict[int, float]) -> pd.DataFrame:
    """The mart over a score history (one per week from START) and an NFCI reading per week index."""
    weeks = [START + dt.timedelta(weeks=i) for i in range(len(score))]
    scores = pd.DataFrame({"week_ending": weeks, "score": score, "is_synthetic": False,
                           "score_null_reason": [None if s is not None else "z-score window not filled" for s in score]})
    readings = pd.DataFrame({"series_id": "NFCI", "week_ending": [START + dt.timedelta(weeks=i) for i in composite],
                             "value_index": list(composite.values()), "is_synthetic": False})
    conn = _conn(scores, readings)
    return conn.execute(f"select * from ({LEADLAG}) order by lag_weeks").df().set_index("lag_weeks")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(k=st.integers(-MAX_LAG, MAX_LAG), seed=st.integers(0, 2**32 - 1), weeks=st.integers(60, 90))
def test_a_composite_that_is_the_score_shifted_by_k_weeks_peaks_at_lag_k(k, seed, weeks):
    # a random walk: persistent like the real score, so neighbouring lags correlate highly too
    score = list(np.round(50 + np.cumsum(np.random.default_rng(seed).normal(0, 3, weeks)), 6))
    # the composite of week i + k is the score of week i: it follows the score k weeks later
    composite = {i + k: 0.02 * s - 1.0 for i, s in enumerate(score)}
    mart = leadlag(score, composite)
    assert list(mart.index) == list(range(-MAX_LAG, MAX_LAG + 1))
    assert abs(mart.loc[k, "correlation"] - 1.0) < 1e-9
    assert mart.loc[k, "overlapping_weeks"] == weeks
    assert mart["is_strongest"].sum() == 1 and mart.loc[k, "is_strongest"]
    assert (mart["correlation"].drop(k) < 1 - 1e-9).all()
    # the overlap shrinks by one week per week of distance from k
    assert (mart["overlapping_weeks"] == [weeks - abs(j - k) for j in mart.index]).all()


def test_too_few_overlapping_weeks_and_no_score_say_why():
    score = [float(i % 7) for i in range(MIN_WEEKS + 2)]
    mart = leadlag(score, {i: float(i % 5) for i in range(len(score))})
    assert mart.loc[0, "correlation"] == mart.loc[0, "correlation"]  # 22 weeks: known
    assert pd.isna(mart.loc[MAX_LAG, "correlation"])  # 14 weeks overlap
    assert mart.loc[MAX_LAG, "null_reason"] == f"14 overlapping weeks at this lag, fewer than the {MIN_WEEKS} a correlation needs"
    unscored = leadlag([None] * 30, {i: 0.1 * i for i in range(30)})
    assert unscored["correlation"].isna().all() and not unscored["is_strongest"].any()
    assert set(unscored["null_reason"]) == {"no week has an absorption score (most weeks: z-score window not filled)"}


def test_a_composite_without_readings_has_its_rows_and_the_reason():
    score = [float(i % 9) for i in range(40)]
    weeks = [START + dt.timedelta(weeks=i) for i in range(40)]
    conn = _conn(pd.DataFrame({"week_ending": weeks, "score": score, "is_synthetic": True, "score_null_reason": None}),
                 pd.DataFrame({"series_id": ["NFCI"], "week_ending": [START], "value_index": [0.1], "is_synthetic": [True]}),
                 composites=("NFCI", "ANFCI"))
    mart = conn.execute(f"select * from ({LEADLAG}) where series_id = 'ANFCI'").df()
    assert len(mart) == 2 * MAX_LAG + 1 and mart["correlation"].isna().all() and mart["is_synthetic"].all()
    assert set(mart["null_reason"]) == {"no ANFCI reading in the warehouse (FRED series not provided)"}


def test_an_episode_reads_the_weeks_overlapping_its_days_and_the_baseline_before():
    # Fridays 2020-02-28 .. 2020-04-10; the episode 2020-03-09..2020-03-27 overlaps the weeks ending
    # Fridays 03-13, 03-20, 03-27 (not 03-06: it ends before 03-09; not 04-03: it starts after 03-27)
    fridays = pd.date_range("2020-02-28", "2020-04-10", freq="W-FRI").date
    values = [0.1, 0.2, 0.9, 3.0, 1.5, 5.0, 0.3]
    readings = pd.DataFrame({"series_id": "STLFSI4", "observation_date": fridays, "value_index": values,
                             "is_synthetic": False})
    wednesdays = pd.date_range("2020-03-04", "2020-04-08", freq="W-WED").date
    scores = pd.DataFrame({"week_ending": wednesdays, "score": [40.0, 55.0, 70.0, 65.0, 60.0, 50.0],
                           "score_null_reason": None, "is_synthetic": False,
                           "regime": ["ample", "crowding_out", "crowding_out", "crowding_out", "ample", "ample"],
                           "regime_held": ["ample", "ample", "ample", "crowding_out", "crowding_out", "crowding_out"]})
    conn = _conn(scores, readings, composites=("STLFSI4",))
    conn.execute("create table stress_episodes as select 'dash' as episode_id, 'Dash for cash' as episode_name, "
                 "date '2020-03-09' as starts_on, date '2020-03-27' as ends_on")
    rows = conn.execute(f"select * from ({EPISODES}) order by series_id").df().set_index("series_id")
    stlfsi4, score = rows.loc["STLFSI4"], rows.loc["absorption_score"]
    assert (stlfsi4["weeks_read"], stlfsi4["reading_before"], stlfsi4["reading_peak"]) == (3, 0.2, 3.0)
    assert stlfsi4["peak_period_end"].date() == dt.date(2020, 3, 20) and stlfsi4["reading_change"] == 2.8
    assert stlfsi4["peak_pctile"] == 100 * 6 / 7  # 3.0 is at or above six of the seven readings
    # the score's weeks ending Wednesdays 03-11, 03-18, 03-25, 04-01 (Thursday 03-26 .. Wednesday 04-01)
    assert (score["weeks_read"], score["reading_before"], score["reading_peak"]) == (4, 40.0, 70.0)
    assert (score["absorption_weeks"], score["crowding_out_weeks"]) == (4, 3)
    # held: ample twice, crowding_out twice: the tie goes to the one held last
    assert (score["regime_held_before"], score["regime_held_most_weeks"]) == ("ample", "crowding_out")
    assert not score["is_synthetic"]
