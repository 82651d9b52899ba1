"""The capex-absorption marts on the scenario, checked against independent recomputations.

Recomputations use plain pandas/statistics on the files the scenario wrote or on the mart's
weekly inputs (never its stored z-scores), so a wrong formula in SQL shows up here.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from statistics import NormalDist

import duckdb
import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow

CONFIRMATIONS = ["ig_oas_change_13w_pp", "hy_oas_change_13w_pp", "yield_10y_change_13w_pp",
                 "term_premium_change_13w_pp", "sofr_iorb_change_13w_pp", "auction_stress_13w"]


def query(run, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(run.warehouse), read_only=True) as conn:
        cursor = conn.execute(sql)
        names = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=names)


@pytest.fixture(scope="module")
def absorption(scenario_run) -> pd.DataFrame:
    frame = query(scenario_run, "select * from marts.fct_capex_absorption order by week_ending")
    frame["week_ending"] = pd.to_datetime(frame["week_ending"]).dt.date
    return frame


def test_both_marts_are_filled_and_scores_lie_in_0_100(scenario_run, absorption):
    funding = query(scenario_run, "select * from marts.fct_hyperscaler_funding")
    assert set(funding["ticker"]) == {"MSFT", "GOOGL", "AMZN", "META", "ORCL"}
    assert len(absorption) == 464 and absorption["is_synthetic"].all()
    scores = absorption["score"].dropna()
    assert len(scores) > 300 and scores.between(0, 100).all()
    assert absorption.loc[absorption["score"].isna(), "score_null_reason"].notna().all()
    assert "marts.fct_capex_absorption" in scenario_run.output


def test_no_week_uses_a_filing_made_after_it(scenario_run):
    """The quarter each week uses is the latest one filed by then, read from the JSON files."""
    weekly = query(scenario_run, "select week_ending, ticker, latest_quarter_end, latest_quarter_known_from "
                                 "from intermediate.int_hyperscaler__funding_weekly")
    assert (weekly["latest_quarter_known_from"] <= weekly["week_ending"]).all()
    ticker_of = {789019: "MSFT", 1652044: "GOOGL", 1018724: "AMZN", 1326801: "META", 1341439: "ORCL"}
    filings = []
    for path in (scenario_run.scenario_dir / "sec").glob("CIK*.json"):
        doc = json.loads(path.read_text())
        for tag in doc["facts"]["us-gaap"].values():
            for fact in tag["units"]["USD"]:
                filings.append((ticker_of[doc["cik"]], dt.date.fromisoformat(fact["end"]),
                                dt.date.fromisoformat(fact["filed"])))
    facts = pd.DataFrame(filings, columns=["ticker", "end", "filed"])
    sample = weekly.sample(200, random_state=1)
    for row in sample.itertuples():
        known = facts[(facts["ticker"] == row.ticker) & (facts["filed"] <= row.week_ending)]
        assert row.latest_quarter_end == known["end"].max(), row


def test_d13_equals_dts_net_issuance_minus_treast_change(scenario_run, absorption):
    folder = scenario_run.scenario_dir
    dts = pd.read_csv(folder / "fiscal_data" / "dts_public_debt_transactions.csv", encoding="utf-8-sig")
    dts = dts[dts["Security Marketability"] == "Marketable"]
    day = pd.to_datetime(dts["Record Date"])
    dts["week"] = (day + pd.to_timedelta((2 - day.dt.weekday) % 7, unit="D")).dt.date
    signed = np.where(dts["Transaction Type"] == "Issues", 1, -1) * dts["Transactions Today"].astype("int64")
    net_mn = pd.Series(signed, index=dts.index).groupby(dts["week"]).sum()
    treast = pd.read_csv(folder / "fred" / "TREAST.csv")
    treast = pd.Series(treast["TREAST"].astype("int64").values, index=pd.to_datetime(treast["observation_date"]).dt.date)
    weeks = list(treast.index)
    checked = 0
    for i in range(14, len(weeks), 9):
        window = weeks[i - 12:i + 1]
        expected_mn = sum(int(net_mn.get(w, 0)) for w in window) - (int(treast[weeks[i]]) - int(treast[weeks[i - 13]]))
        row = absorption[absorption["week_ending"] == weeks[i]].iloc[0]
        d13_mn = float(row["private_treasury_supply_13w_bn"]) * 1000
        assert d13_mn == pytest.approx(expected_mn, abs=1e-3), weeks[i]
        checked += 1
    assert checked > 40


def expanding_z(values: pd.Series, min_weeks=104, winsor=3.0) -> pd.Series:
    out = []
    seen: list[float] = []
    for v in values:
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            seen.append(float(v))
        if v is None or (isinstance(v, float) and math.isnan(v)) or len(seen) < min_weeks:
            out.append(None)
            continue
        mean = sum(seen) / len(seen)
        sd = math.sqrt(sum((x - mean) ** 2 for x in seen) / (len(seen) - 1))
        out.append(None if sd == 0 else max(-winsor, min(winsor, (float(v) - mean) / sd)))
    return pd.Series(out, index=values.index, dtype=object)


def test_z_scores_regime_and_score_match_an_independent_recomputation(absorption):
    f13 = absorption["hyperscaler_funding_13w_bn"].map(lambda v: None if v is None else float(v))
    d13 = absorption["private_treasury_supply_13w_bn"].map(lambda v: None if v is None else float(v))
    idle = absorption["idle_pool_13w_ago_bn"].map(lambda v: None if v is None else float(v))
    ok = f13.notna() & d13.notna() & idle.notna()
    ar = pd.Series([f / max(i, 50.0) if f is not None and i is not None else None
                    for f, i in zip(f13, idle)], dtype=object)  # AR needs no D13
    slack = pd.Series([i - (d + f) if k else None for f, d, i, k in zip(f13, d13, idle, ok)], dtype=object)
    z_ar = expanding_z(ar)
    z_neg = expanding_z(slack.map(lambda s: None if s is None else -s))
    z_conf = [expanding_z(absorption[c].astype(object).where(absorption[c].notna(), None)) for c in CONFIRMATIONS]
    mismatches = []
    for i, row in absorption.iterrows():
        regime = None if not ok[i] else ("ample" if slack[i] > 0 and ar[i] < 0.25 else
                                         "tightening" if slack[i] > 0 else "crowding_out")
        present = [z[i] for z in z_conf if z[i] is not None]
        conf = sum(present) / len(present) if present else None
        if z_ar[i] is None or z_neg[i] is None or conf is None:
            score = None
        else:
            score = 100 * NormalDist().cdf((0.4 * z_ar[i] + 0.4 * z_neg[i] + 0.2 * conf) / 1.0)
        if row["regime"] != regime:
            mismatches.append((row["week_ending"], "regime", row["regime"], regime))
        if (score is None) != (row["score"] is None or math.isnan(row["score"])):
            mismatches.append((row["week_ending"], "score null", row["score"], score))
        elif score is not None and abs(score - row["score"]) > 1e-4:
            mismatches.append((row["week_ending"], "score", row["score"], score))
        if z_ar[i] is not None and abs(z_ar[i] - row["z_absorption_ratio"]) > 1e-9:
            mismatches.append((row["week_ending"], "z_ar", row["z_absorption_ratio"], z_ar[i]))
    assert not mismatches, mismatches[:10]
    assert (absorption["score"].notna()).sum() > 300


def by_regime(absorption, start, end):
    weeks = absorption[(absorption["week_ending"] >= start) & (absorption["week_ending"] <= end)]
    return weeks, weeks["regime"].value_counts().to_dict()


def test_regime_is_ample_in_2021_and_2022(absorption):
    _, counts = by_regime(absorption, dt.date(2021, 1, 1), dt.date(2022, 12, 31))
    assert counts == {"ample": 104}


def test_the_fed_bought_2020_episode_is_not_crowding_out(absorption):
    """Weeks of 2020 whose record 13-week net issuance (over 300 bn) the Fed bought in full."""
    year = absorption[(absorption["week_ending"] >= dt.date(2020, 1, 1)) & (absorption["week_ending"] <= dt.date(2020, 12, 31))]
    bought = year[(year["fed_treasury_purchases_13w_bn"] >= year["net_marketable_issuance_13w_bn"])
                  & (year["net_marketable_issuance_13w_bn"] > 300)]
    assert len(bought) >= 8
    assert (bought["regime"] != "crowding_out").all(), bought[["week_ending", "regime"]]


def test_crowding_out_after_the_pool_empties(absorption):
    after = absorption[absorption["week_ending"] >= dt.date(2025, 5, 7)]  # 13 weeks after it empties
    assert len(after) > 70 and (after["regime"] == "crowding_out").all()
    assert after["score"].mean() > absorption[absorption["regime"] == "ample"]["score"].mean()


def test_contributions_add_up_to_weighted_z_on_every_scored_week(absorption):
    scored = absorption[absorption["weighted_z"].notna()]
    contributions = [c for c in absorption.columns if c.startswith("contribution_")]
    assert len(contributions) == 2 + len(CONFIRMATIONS) and len(scored) > 300
    gap = (scored[contributions].astype(float).fillna(0).sum(axis=1) - scored["weighted_z"]).abs()
    assert gap.max() <= 1e-9, gap.max()
    assert (scored["inputs_above_average"] <= scored["inputs_scored"]).all()


def test_the_early_2025_flips_stay_in_the_raw_call_and_vanish_from_the_held_regime(absorption):
    """Slack crosses zero by a few billion: crowding_out, ample at S = +4.8 bn, crowding_out again."""
    weeks = absorption.set_index("week_ending")
    flips = [dt.date(2025, 1, 29), dt.date(2025, 2, 5), dt.date(2025, 2, 12)]
    assert weeks.loc[flips, "regime"].tolist() == ["crowding_out", "ample", "crowding_out"]
    assert 0 < float(weeks.loc[dt.date(2025, 2, 5), "slack_bn"]) < 10
    assert weeks.loc[flips, "regime_held"].tolist() == ["ample", "ample", "ample"]
    early_2025 = weeks.loc[dt.date(2025, 1, 1):dt.date(2025, 4, 30), "regime_held"]
    assert (early_2025.shift() != early_2025).iloc[1:].sum() == 1  # one change, once crowding out lasts
    assert "slack 4.8 bn > 0" in weeks.loc[dt.date(2025, 2, 5), "regime_reason"]


def test_no_held_run_is_shorter_than_regime_min_weeks(absorption):
    """Between the series start (held null until the first call lasts) and its end (the last run
    is cut off by the latest week), every run of the held regime lasts at least 3 weeks (var
    regime_min_weeks); the raw call has shorter ones."""
    def runs(column):
        values = absorption[column].where(absorption[column].notna(), None).tolist()
        out = []
        for value in values:
            if out and out[-1][0] == value:
                out[-1][1] += 1
            else:
                out.append([value, 1])
        return out

    held, raw = runs("regime_held"), runs("regime")
    assert len(held) >= 4 and all(n >= 3 for _, n in held[1:-1]), held
    assert min(n for _, n in raw[1:-1]) == 1


def test_the_policy_whatifs_on_the_scenario(scenario_run, absorption):
    """At least four paths; the baseline path is the observed absorption; on the ladder of bill
    purchases from 2025, more buying never leaves more weeks in crowding-out, and enough of it
    leaves none (the README's figure)."""
    whatif = query(scenario_run, "select w.*, p.bill_purchases_bn_per_month from marts.fct_policy_whatif w "
                                 "join raw.fed_policy_paths p using (path_name) order by path_name, week_ending")
    assert whatif["path_name"].nunique() >= 4
    baseline = whatif[whatif["path_name"] == "baseline"].merge(absorption, on="week_ending", suffixes=("", "_observed"))
    assert len(baseline) > 50 and (baseline["regime"] == baseline["regime_observed"]).all()
    assert (baseline["score"] - baseline["score_observed"]).abs().max() < 1e-9
    ladder = whatif[whatif["path_name"].str.startswith("buy_")]
    crowded = ladder.groupby("bill_purchases_bn_per_month")["regime"].apply(lambda r: (r == "crowding_out").sum())
    assert crowded.is_monotonic_decreasing and crowded.iloc[0] > 0 and crowded.iloc[-1] == 0, crowded
    # claim 8: QT that never ends leaves no less pressure than QT ended on 1 December 2025
    qt = whatif[whatif["path_name"].isin(["qt_continues", "qt_ended_2025_12_01"])]
    means = qt[qt["week_ending"] >= dt.date(2026, 3, 4)].groupby("path_name")["score"].mean()
    assert means["qt_continues"] >= means["qt_ended_2025_12_01"], means


def test_alerts_what_ifs_and_their_docs_reach_the_published_copy(scenario_run):
    """Every alert of the mart is in the published alert log, once; on the scenario the latest is
    months before its last week, so each is history (none posted, none left queued); the new marts
    carry their column descriptions as comments."""
    published = str(scenario_run.warehouse.with_name("published.duckdb"))
    with duckdb.connect(published, read_only=True) as conn:
        mart = conn.execute("select alert_id, alert_kind from marts.fct_absorption_alerts order by 1").fetchall()
        log = conn.execute("select alert_id, alert_kind, delivery, attempts from alerts.absorption_alert_log "
                           "order by 1").fetchall()
        undocumented = conn.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'marts' and table_name in "
            "('fct_policy_whatif', 'fct_absorption_alerts', 'fct_capex_absorption', 'latest_week') "
            "and (comment is null or comment = '')").fetchall()
        paths = conn.execute("select count(distinct path_name) from marts.fct_policy_whatif").fetchone()[0]
    assert ("regime_change:2025-02-26", "regime_change") in mart
    assert [(a, k) for a, k, _, _ in log] == mart
    assert {(d, n) for _, _, d, n in log} == {("history", 0)}
    assert not undocumented and paths >= 4
    assert (scenario_run.warehouse.parent / "published_parquet" / "marts" / "fct_absorption_alerts.parquet").is_file()


def test_the_score_materialisation_carries_a_plot_and_components(scenario_run):
    from dagster import AssetKey, DagsterInstance

    home = scenario_run.root / "dagster_home"
    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    try:
        with DagsterInstance.get() as instance:
            event = instance.get_latest_materialization_event(AssetKey(["reports", "capex_absorption"]))
    finally:
        if previous is None:
            os.environ.pop("DAGSTER_HOME")
        else:
            os.environ["DAGSTER_HOME"] = previous
    metadata = event.asset_materialization.metadata
    assert metadata["score_plot"].value.startswith("![capex-absorption score](data:image/png;base64,iVBOR")
    assert "| Regime | crowding_out |" in metadata["latest_components"].value
