"""The forced-selling chain in plain pandas, for `make bench`'s same-run ratio against dbt.

"The chain computation" here is what the three ``intermediate/chain`` models do, from the same
inputs: ``int_chain__exposures`` (holdings joined to holder types, the security map and liquidity, AUM,
price impact, sale weights), ``int_chain__shocks`` (what each funder must raise) and
``int_chain__rounds`` (the fire-sale rounds). The marts only aggregate the rounds (and add realised
pressure from the 13F flows, which is not the chain), so they are left out of both sides.

Written from docs/scores.md, not from the SQL's shape: every position goes through every
round (group sums as ``groupby(...).transform``), which is how one would write it in pandas. It
returns the same rows as the models (a position's row in a round when it sold or its price moved),
so ``check_against`` can compare it with the warehouse the dbt run left.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tests.dbt_sql import project_vars

INPUTS = {
    "positions": "select cik, period_of_report as quarter_end, cusip, holding_bn, is_synthetic "
                 "from intermediate.int_holdings__positions",
    "holder_types": "select cik, holder_id, holder_type, leverage from intermediate.int_holdings__holder_types",
    "security_map": "select cusip, asset_group, spec_weight from intermediate.int_securities__asset_groups",
    "liquidity": "select cusip, quarter_end, return_90d_pct, price_impact_per_bn from intermediate.int_prices__liquidity",
    "capital_calls": "select holder_id, call_date, cast(amount_bn as double) as amount_bn from raw.capital_calls",
}


def read_inputs(warehouse: Path) -> dict[str, pd.DataFrame]:
    """The chain's inputs as the dbt run left them (read-only; not part of the timed work)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        frames = {name: conn.execute(sql).df() for name, sql in INPUTS.items()}
    for frame in frames.values():
        for column in ("quarter_end", "call_date"):
            if column in frame:
                frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frames


def exposures(inputs: dict[str, pd.DataFrame], v: dict) -> pd.DataFrame:
    """Per quarter, holder and asset: holding, AUM, holder type and leverage, spec_k, the 90-day
    return, price impact l_k (from prices, else kappa' / the asset's total 13F value), sale weight."""
    p = inputs["positions"]
    p = p[p["holding_bn"] > 0]
    p = p.assign(aum_bn=p.groupby(["quarter_end", "cik"])["holding_bn"].transform("sum"),
                 total_13f_bn=p.groupby(["quarter_end", "cusip"])["holding_bn"].transform("sum"))
    e = (p.merge(inputs["holder_types"][["cik", "holder_type", "leverage"]], on="cik")
          .merge(inputs["security_map"], on="cusip", how="left")
          .merge(inputs["liquidity"], on=["cusip", "quarter_end"], how="left"))
    e["asset_group"] = e["asset_group"].fillna("unmapped")
    e["spec_weight"] = e["spec_weight"].fillna(v["chain_spec_weight_default"])
    e["impact_from_prices"] = e["price_impact_per_bn"].notna()
    e["price_impact_per_bn"] = e["price_impact_per_bn"].fillna(v["chain_price_impact_kappa_fallback"] / e["total_13f_bn"])
    e["return_90d_pct"] = e["return_90d_pct"].fillna(0.0)
    e["sale_weight"] = e["holding_bn"] * (1 + e["spec_weight"]) * (1 + (-e["return_90d_pct"] / 100).clip(lower=0))
    return e.drop(columns="total_13f_bn")


def shocks(e: pd.DataFrame, inputs: dict[str, pd.DataFrame], v: dict) -> pd.DataFrame:
    """What each funder must raise: shock_pct of its 13F holdings plus its capital calls dated in
    the quarter, never more than its holdings."""
    funders = (e[e["holder_type"] == "funder"].groupby(["quarter_end", "cik"], as_index=False)["aum_bn"].max()
               .merge(inputs["holder_types"][["cik", "holder_id"]], on="cik"))
    calls = inputs["capital_calls"]
    calls = (calls.assign(quarter_end=pd.to_datetime(calls["call_date"]).dt.to_period("Q").dt.end_time.dt.normalize())
             .groupby(["holder_id", "quarter_end"], as_index=False)["amount_bn"].sum()
             .rename(columns={"amount_bn": "capital_call_bn"}))
    s = funders.merge(calls, on=["holder_id", "quarter_end"], how="left")
    s["capital_call_bn"] = s["capital_call_bn"].fillna(0.0)
    s["standard_shock_bn"] = v["chain_shock_pct"] / 100 * s["aum_bn"]
    s["required_bn"] = np.minimum(s["aum_bn"], s["standard_shock_bn"] + s["capital_call_bn"])
    return s


def rounds(e: pd.DataFrame, s: pd.DataFrame, v: dict) -> pd.DataFrame:
    """The rounds: funders sell what they must raise by sale weight (never more than a position);
    each round dp_k = -min(cap, l_k * phi_k), L_j = sum_k h_jk dp_k, and hedge funds sell
    beta * max(0, -L_j) * b_j * h_jk / AUM_j next round, capped by what they still hold."""
    e = e.reset_index(drop=True)
    asset = e.groupby(["quarter_end", "cusip"], sort=False).ngroup()
    holder = e.groupby(["quarter_end", "cik"], sort=False).ngroup()
    h = e["holding_bn"]
    asset_holding = h.groupby(asset).transform("sum")
    impact = e["price_impact_per_bn"].groupby(asset).transform("max")
    required = (e[["quarter_end", "cik"]].merge(s[["quarter_end", "cik", "required_bn"]], how="left")["required_bn"]
                .fillna(0.0))
    weight = e["sale_weight"].where(required > 0, 0.0)
    weight_total = weight.groupby(holder).transform("sum")
    sale = np.minimum(h, required * weight / weight_total).where((required > 0) & (weight_total > 0), 0.0)
    redeems = (e["holder_type"] == "hedge_fund") & (e["aum_bn"] > 0)
    sold_before = pd.Series(0.0, index=e.index)
    out = []
    for n in range(1, int(v["chain_rounds"]) + 1):
        asset_sales = sale.groupby(asset).transform("sum")
        price_change = -np.minimum(v["chain_price_impact_cap"], impact * asset_sales)
        loss = h * price_change
        shown = (sale > 0) | (price_change < 0)
        out.append(pd.DataFrame({
            "round_no": n, "quarter_end": e["quarter_end"], "cik": e["cik"], "cusip": e["cusip"],
            "holder_type": e["holder_type"], "holding_bn": h, "sale_bn": sale, "price_change": price_change,
            "asset_sales_bn": asset_sales, "asset_holding_bn": asset_holding, "loss_bn": loss})[shown])
        redemption = v["chain_redemption_beta"] * (-loss.groupby(holder).transform("sum")).clip(lower=0)
        next_sale = np.minimum(h - sold_before - sale, redemption * e["leverage"] * h / e["aum_bn"]).clip(lower=0)
        sold_before = sold_before + sale
        sale = next_sale.where(redeems, 0.0)
    return pd.concat(out, ignore_index=True)


def chain(inputs: dict[str, pd.DataFrame], v: dict | None = None) -> dict[str, pd.DataFrame]:
    v = v or project_vars()
    e = exposures(inputs, v)
    s = shocks(e, inputs, v)
    return {"exposures": e, "shocks": s, "rounds": rounds(e, s, v)}


def check_against(warehouse: Path, result: dict[str, pd.DataFrame]) -> str:
    """Compare with the models the dbt run built: row counts, and per quarter and round the sums of
    sales and losses (relative 1e-9). Raises on a mismatch; returns a one-line summary."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        counts = {name: conn.execute(f"select count(*) from intermediate.int_chain__{name}").fetchone()[0]
                  for name in result}
        dbt = conn.execute("select quarter_end, round_no, sum(sale_bn) as sale_bn, sum(loss_bn) as loss_bn, "
                           "count(*) as n from intermediate.int_chain__rounds group by all").df()
    mine = (result["rounds"].groupby(["quarter_end", "round_no"], as_index=False)
            .agg(sale_bn=("sale_bn", "sum"), loss_bn=("loss_bn", "sum"), n=("sale_bn", "size")))
    dbt["quarter_end"] = pd.to_datetime(dbt["quarter_end"]).astype("datetime64[ns]")
    both = dbt.merge(mine, on=["quarter_end", "round_no"], how="outer", suffixes=("_dbt", "_pandas"))
    problems = [f"{name}: dbt {counts[name]:,} rows, pandas {len(frame):,}" for name, frame in result.items()
                if counts[name] != len(frame)]
    for column in ("sale_bn", "loss_bn", "n"):
        if not np.allclose(both[f"{column}_dbt"], both[f"{column}_pandas"], rtol=1e-9, atol=1e-12):
            problems.append(f"rounds {column} per quarter and round differ")
    if problems:
        raise AssertionError("pandas chain does not match the dbt models: " + "; ".join(problems))
    return (f"{len(result['exposures']):,} positions, {len(result['rounds']):,} round rows, "
            f"{both['quarter_end'].nunique()} quarters: same as dbt")
