"""The fire-sale rounds of int_chain__rounds for every scenario of int_chain__scenarios at once
(docs/scores.md, "Bands and inverse stress"): one row per scenario and quarter with the first
round's and all rounds' sales, the losses of all 13F holders and the amplification.

A Python model because the rounds are matrix products. Per quarter, with S scenarios, A assets and
F hedge funds (a real-size quarter: 251 x 18,139 x 1,999, 582k hedge-fund positions):
- round 1 (funders selling what the shock requires) depends only on the shock, so it is computed
  once per shock level, not per draw;
- a hedge fund sells pro rata to its holdings, so its state is one number per scenario: the share
  of its holdings sold so far (capping that share at 1 is the same as capping each sale at what is
  left of the position), and sales per asset are those shares times its holdings;
- a round's price change per scenario and asset is an S x A matrix; a hedge fund's loss is the sum
  over its positions of holding x price change (S x A times the A x F holdings), its sales per
  asset the sum over the asset's holders of share sold x holding (S x F times F x A).
As SQL (the model before this one, in git history) each product was a join of up to 146M rows
and a hash aggregation over them: ~36 s of the real-size quarter's ~42 s in this model. Here each
is a gather and a segmented sum over the positions, a few scenarios at a time.

Every formula is int_chain__rounds' and the SQL model's, term for term in the same order of
operations; only the order in which a sum adds its terms differs (within ~1e-15 relative). Sums
run in a fixed order, so a rebuild gives the same bits (tests/e2e/test_deterministic_marts.py).
tests/dbt/test_chain_scenarios_sql.py holds each scenario's outcome equal to int_chain__rounds run
with that scenario's parameters; the singular test assert_chain_baseline_scenario_is_the_chain
holds the baseline equal to the chain in every quarter of every build.

Incremental by quarter like the SQL quarterly models (macros/quarterly.sql): on an incremental run
it reads only the quarters whose inputs' fingerprint differs from the one meta.dbt_quarter_builds
holds for it, and the strategy 'quarters' replaces those. Its vars come through its config
(_int_chain__models.yml), as dbt gives a Python model no var().
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import numpy as np

if TYPE_CHECKING:
    import pandas as pd  # loaded by DuckDB's .df() when a quarter is built: a weekday builds none

SCENARIO_COLUMNS = ["scenario_id", "scenario_kind", "shock_pct", "leverage_hedge_fund", "redemption_beta",
                    "kappa_scale"]
OUTCOME_COLUMNS = ["first_round_sales_bn", "total_forced_sales_bn", "total_loss_bn", "amplification"]
# The table's columns in order, and their types as the SQL model made them (an incremental run
# inserts into them): the outcome for OUTPUT, no rows for EMPTY (a run with no quarter to rebuild).
OUTPUT_COLUMNS = [*SCENARIO_COLUMNS[:2], "quarter_end", *SCENARIO_COLUMNS[2:], *OUTCOME_COLUMNS]
TYPES = {"scenario_id": "integer", "scenario_kind": "varchar", "quarter_end": "date"}  # the others: double
OUTPUT = ", ".join(f"cast({column} as {TYPES.get(column, 'double')}) as {column}" for column in OUTPUT_COLUMNS)
EMPTY = "select " + ", ".join(f"cast(null as {TYPES.get(column, 'double')}) as {column}"
                              for column in OUTPUT_COLUMNS) + " limit 0"
SCENARIOS_AT_ONCE = 16  # rows of a gathered block: 16 x 582k positions = 75 MB at real size


def compact_inputs(exposures: duckdb.DuckDBPyRelation, shocks: duckdb.DuckDBPyRelation) -> dict[str, pd.DataFrame]:
    """What the rounds read, reduced in DuckDB from int_chain__exposures and int_chain__shocks
    (a real-size quarter's 3M exposure rows never reach Python):
    - assets: per quarter and CUSIP, the 13F holders' total holding and its price impact per $bn;
    - funder_positions: the positions of the holders that have a shock, with their sale weights;
    - hedge_positions: the hedge funds' positions (those with holdings), with their AUM;
    - shocks: each funder's AUM and capital call;
    - quarters: every quarter of the exposures."""
    e, s = exposures.set_alias("e"), shocks.set_alias("s")
    return {
        "assets": exposures.aggregate(
            "quarter_end, cusip, sum(holding_bn) as asset_holding_bn, max(price_impact_per_bn) as price_impact_per_bn",
            "quarter_end, cusip").df(),
        "funder_positions": e.join(s, "e.quarter_end = s.quarter_end and e.cik = s.cik", how="semi")
                             .project("quarter_end, cik, cusip, holding_bn, sale_weight").df(),
        "hedge_positions": exposures.filter("holder_type = 'hedge_fund' and aum_bn > 0")
                                    .project("quarter_end, cik, cusip, holding_bn, aum_bn").df(),
        "shocks": shocks.project("quarter_end, cik, aum_bn, capital_call_bn").df(),
        "quarters": exposures.project("quarter_end").distinct().df(),
    }


def _segment_sums(values: np.ndarray, columns: np.ndarray, weights: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """out[s, k] = sum over the positions p of segment k of weights[p] * values[s, columns[p]]; the
    positions are sorted by segment and segment k starts at starts[k] (none is empty). Each sum adds
    its terms in the positions' order, whatever the block size."""
    out = np.empty((values.shape[0], len(starts)))
    for low in range(0, values.shape[0], SCENARIOS_AT_ONCE):
        block = np.take(values[low:low + SCENARIOS_AT_ONCE], columns, axis=1)
        block *= weights
        out[low:low + SCENARIOS_AT_ONCE] = np.add.reduceat(block, starts, axis=1)
    return out


def _by(frame: pd.DataFrame, column: str):
    """A column's values in the frame's order, and where each segment of equal values starts (none
    in an empty frame: a quarter without hedge funds)."""
    values = frame[column].to_numpy()
    return values, np.flatnonzero(np.r_[len(values) > 0, values[1:] != values[:-1]])


def _positions(keys: np.ndarray, values) -> np.ndarray:
    """Where each of ``values`` is in ``keys`` (sorted, unique, holding every value)."""
    return np.searchsorted(keys, np.asarray(values))


def _first_sales(funders: pd.DataFrame, shocks: pd.DataFrame, levels: np.ndarray, cusips: np.ndarray) -> np.ndarray:
    """Round 1 per shock level (levels x assets): each funder with something to raise sells each
    position in proportion to its sale weight, never more than the position."""
    shocks = shocks.sort_values("cik", kind="stable")  # one row per funder (int_chain__shocks: cik unique)
    required = np.fmin(shocks["aum_bn"].to_numpy()[None, :],
                       levels[:, None] / 100.0 * shocks["aum_bn"].to_numpy()[None, :]
                       + shocks["capital_call_bn"].to_numpy()[None, :])  # levels x funders
    funder_of = _positions(shocks["cik"].to_numpy(), funders["cik"])
    weight_total = np.bincount(funder_of, weights=funders["sale_weight"].to_numpy(), minlength=len(shocks))
    holding, sale_weight = funders["holding_bn"].to_numpy(), funders["sale_weight"].to_numpy()
    column = _positions(cusips, funders["cusip"])
    sales = np.zeros((len(levels), len(cusips)))
    for level in range(len(levels)):
        need = required[level, funder_of]
        raising = need > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            sale = np.where(weight_total[funder_of] > 0,
                            np.fmin(holding, need * sale_weight / weight_total[funder_of]), 0.0)
        sales[level] = np.bincount(column[raising], weights=sale[raising], minlength=len(cusips))
    return sales


def _quarter(assets, funders, hedge, shocks, scenarios, level_of, levels, rounds, cap) -> np.ndarray:
    """One quarter's outcomes (scenarios x OUTCOME_COLUMNS)."""
    assets = assets.sort_values("cusip", kind="stable")
    cusips = assets["cusip"].to_numpy()
    holding_total = assets["asset_holding_bn"].to_numpy()
    impact = assets["price_impact_per_bn"].to_numpy()
    kappa = scenarios["kappa_scale"].to_numpy()[:, None]
    beta = scenarios["redemption_beta"].to_numpy()[:, None]
    leverage = scenarios["leverage_hedge_fund"].to_numpy()[:, None]

    # the hedge funds' positions, once sorted by fund (for their losses), once by asset (their sales)
    by_fund = hedge.sort_values(["cik", "cusip"], kind="stable")
    funds, fund_starts = _by(by_fund, "cik")
    fund_aum = np.maximum.reduceat(by_fund["aum_bn"].to_numpy(), fund_starts) if len(fund_starts) else np.empty(0)
    fund_columns, fund_holdings = _positions(cusips, by_fund["cusip"]), by_fund["holding_bn"].to_numpy()
    by_asset = hedge.sort_values(["cusip", "cik"], kind="stable")
    held, asset_starts = _by(by_asset, "cusip")
    held_columns = _positions(cusips, held[asset_starts])
    asset_funds = _positions(funds[fund_starts], by_asset["cik"])
    asset_holdings = by_asset["holding_bn"].to_numpy()

    flows = _first_sales(funders, shocks, levels, cusips)[level_of]  # scenarios x assets
    sold = np.zeros((len(scenarios), len(fund_starts)))
    sales_by_round, losses_by_round = [], []
    for round_no in range(1, rounds + 1):
        price_change = -np.fmin(cap, kappa * impact[None, :] * flows)
        sales_by_round.append(flows.sum(axis=1))
        losses_by_round.append((holding_total[None, :] * price_change).sum(axis=1))
        if round_no == rounds:
            break
        flows = np.zeros_like(flows)
        if not len(fund_starts):
            continue
        loss = _segment_sums(price_change, fund_columns, fund_holdings, fund_starts)  # scenarios x funds
        pressure = beta * np.fmax(0.0, -loss) * leverage / fund_aum[None, :]
        share = np.fmin(1.0, pressure) if round_no == 1 else np.fmax(0.0, np.fmin(1.0 - sold, pressure))
        sold = sold + share
        flows[:, held_columns] = _segment_sums(share, asset_funds, asset_holdings, asset_starts)

    first = sales_by_round[0]
    total = np.sum(sales_by_round, axis=0)
    losses = np.sum(losses_by_round, axis=0) + 0.0  # + 0.0: no -0.0 where nothing fell
    with np.errstate(divide="ignore", invalid="ignore"):
        amplification = np.where(first > 0, total / first, 1.0)
    return np.column_stack([first, total, losses, amplification])


def scenario_outcomes(assets: pd.DataFrame, funder_positions: pd.DataFrame, hedge_positions: pd.DataFrame,
                      shocks: pd.DataFrame, quarters: pd.DataFrame, scenarios: pd.DataFrame,
                      rounds: int, cap: float) -> pd.DataFrame:
    """Every scenario's outcome in every quarter (the inputs as :func:`compact_inputs` gives them)."""
    import pandas as pd
    for name, frame, column in [("assets", assets, "price_impact_per_bn"),
                                ("funder_positions", funder_positions, "sale_weight"),
                                ("hedge_positions", hedge_positions, "holding_bn"),
                                ("shocks", shocks, "capital_call_bn")]:
        nulls = int(frame[column].isna().sum())
        if nulls:  # the SQL's least() would skip a null, numpy would spread it
            raise ValueError(f"int_chain__scenario_outcomes: {name}.{column} is null in {nulls} rows")
    scenarios = scenarios[SCENARIO_COLUMNS].sort_values("scenario_id", kind="stable").reset_index(drop=True)
    levels, level_of = np.unique(scenarios["shock_pct"].to_numpy(dtype=float), return_inverse=True)
    frames = (assets, funder_positions, hedge_positions, shocks)
    by_quarter = [dict(tuple(frame.groupby("quarter_end", sort=False))) for frame in frames]
    rows = []
    for quarter in sorted(quarters["quarter_end"].unique()):
        part = [groups.get(quarter, frame.iloc[0:0]) for groups, frame in zip(by_quarter, frames)]
        outcome = _quarter(*part, scenarios, level_of, levels, rounds, cap)
        rows.append(scenarios.assign(quarter_end=quarter, **dict(zip(OUTCOME_COLUMNS, outcome.T))))
    if not rows:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    return pd.concat(rows, ignore_index=True)


def quarters_to_rebuild(inputs: duckdb.DuckDBPyRelation, session, identifier: str) -> list:
    """macros/quarterly.sql's quarters_to_rebuild: those whose fingerprint differs from the one this
    model was last built from (all of them when it never was)."""
    built = dict(session.execute("select quarter_end, inputs_fingerprint from meta.dbt_quarter_builds "
                                 "where model_name = ?", [identifier]).fetchall())
    return [quarter for quarter, fingerprint in inputs.project("quarter_end, inputs_fingerprint").fetchall()
            if built.get(quarter) != fingerprint]


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="quarters", unique_key="quarter_end",
               on_schema_change="append_new_columns")
    exposures, shocks = dbt.ref("int_chain__exposures"), dbt.ref("int_chain__shocks")
    scenarios = dbt.ref("int_chain__scenarios")
    inputs = dbt.ref("int_chain__quarter_inputs")
    if dbt.is_incremental:
        rebuilt = [duckdb.ConstantExpression(q) for q in quarters_to_rebuild(inputs, session, dbt.this.identifier)]
        if not rebuilt:
            return session.sql(EMPTY)
        in_rebuilt = duckdb.ColumnExpression("quarter_end").isin(*rebuilt)
        exposures, shocks = exposures.filter(in_rebuilt), shocks.filter(in_rebuilt)
    outcomes = scenario_outcomes(**compact_inputs(exposures, shocks), scenarios=scenarios.df(),
                                 rounds=int(dbt.config.get("chain_rounds")),
                                 cap=float(dbt.config.get("chain_price_impact_cap")))
    return session.from_df(outcomes).project(OUTPUT)
