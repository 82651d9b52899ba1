"""What drove the forced-selling chain in a quarter: a markdown summary and two plots.

Pure functions of the marts' rows (``read_chain_frames`` is the only one touching DuckDB, through a
connection it is given); no Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reverse_qe.reports.png import cached_png, figure_png, pyplot, synthetic_label

TOP = 5


@dataclass(frozen=True)
class ChainFrames:
    chain: pd.DataFrame  # marts.fct_forced_selling_chain, all quarters
    assets: pd.DataFrame  # marts.fct_chain_asset_vulnerability, latest quarter
    holders: pd.DataFrame  # marts.fct_chain_holder_systemicness, latest quarter
    calls: pd.DataFrame  # intermediate.int_chain__shocks, latest quarter (capital calls per funder)


def _frame(conn, sql: str, params: list | None = None) -> pd.DataFrame:
    cursor = conn.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    frame = pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
    for column in frame.columns:  # DECIMAL -> float for display
        if frame[column].map(lambda v: v.__class__.__name__ == "Decimal").any():
            frame[column] = frame[column].astype(float)
    return frame


def read_chain_frames(conn) -> ChainFrames | None:
    """The rows the report needs, for the latest quarter of the chain mart (None if it is empty)."""
    chain = _frame(conn, "select * from marts.fct_forced_selling_chain order by quarter_end")
    if chain.empty:
        return None
    latest = chain["quarter_end"].iloc[-1]
    assets = _frame(conn, "select * from marts.fct_chain_asset_vulnerability where quarter_end = ? "
                          "order by chain_price_change_pct, cusip", [latest])
    holders = _frame(conn, "select * from marts.fct_chain_holder_systemicness where quarter_end = ? "
                           "order by losses_caused_to_others_bn desc, cik", [latest])
    calls = _frame(conn, "select cik, holder_id, standard_shock_bn, capital_call_bn, required_bn "
                         "from intermediate.int_chain__shocks where quarter_end = ? order by required_bn desc", [latest])
    return ChainFrames(chain, assets, holders, calls)


def _money(value: float) -> str:
    return f"{value:,.2f} bn"


def chain_summary_markdown(frames: ChainFrames) -> str:
    """Which funders started the chain, which assets fell most, which holders amplified it."""
    row = frames.chain.iloc[-1]
    synthetic = synthetic_label(bool(row["is_synthetic"]))
    lines = [
        f"### Forced-selling chain, quarter ending {row['quarter_end']}{synthetic}",
        "",
        f"Amplification **{row['amplification']:.3f}** (score {row['chain_score_pctile']:.0f}th percentile of "
        f"{int(row['quarters_in_history'])} quarters): funders had to sell {_money(row['required_sales_bn'])} "
        f"({_money(row['standard_shock_bn'])} standard shock of {row['shock_pct']:g}% plus "
        f"{_money(row['capital_calls_bn'])} capital calls); forced sales over {int(row['chain_rounds'])} rounds "
        f"{_money(row['total_forced_sales_bn'])}; fire-sale losses {_money(-row['total_loss_bn'])} "
        f"({row['loss_share_of_aum_pct']:.3f}% of 13F AUM).",
        "",
        "**Which funders started it**",
        "",
        "| funder | first-round sales | of which capital call |",
        "|---|---:|---:|",
    ]
    funders = frames.holders[frames.holders["holder_type"] == "funder"].sort_values("shock_sales_bn", ascending=False)
    calls = frames.calls.set_index("cik")["capital_call_bn"] if not frames.calls.empty else pd.Series(dtype=float)
    for f in funders.head(TOP).itertuples():
        lines.append(f"| {f.filer_name} | {_money(f.shock_sales_bn)} | {_money(float(calls.get(f.cik, 0.0)))} |")
    lines += ["", "**Which assets fell most**", "", "| asset | group | chain price change | forced sales |", "|---|---|---:|---:|"]
    for a in frames.assets.head(TOP).itertuples():
        label = a.ticker or a.issuer_name or a.cusip
        lines.append(f"| {label} | {a.asset_group} | {a.chain_price_change_pct:.2f}% | {_money(a.forced_sales_bn)} |")
    by_group = frames.assets.groupby("asset_group")["chain_price_change_pct"].mean().sort_values()
    lines += ["", "Mean chain price change by group: " + ", ".join(f"{g} {v:.2f}%" for g, v in by_group.items()), ""]
    lines += ["**Which holders amplified it**", "", "| holder | type | forced sales | losses caused to others |", "|---|---|---:|---:|"]
    amplifiers = frames.holders[frames.holders["holder_type"] != "funder"].head(TOP)
    for h in amplifiers.itertuples():
        lines.append(f"| {h.filer_name} | {h.holder_type} | {_money(h.forced_sales_bn)} | {_money(h.losses_caused_to_others_bn)} |")
    if amplifiers.empty:
        lines.append("| (none: no hedge fund held what the funders sold) | | | |")
    return "\n".join(lines)


@cached_png
def chain_history_png(frames: ChainFrames) -> bytes:
    """PNG: amplification and score by quarter."""
    plt = pyplot()
    synthetic = synthetic_label(bool(frames.chain["is_synthetic"].iloc[-1]))
    chain = frames.chain
    fig, left = plt.subplots(figsize=(7, 3.2))
    left.plot(pd.to_datetime(chain["quarter_end"]), chain["amplification"], color="tab:red", marker="o", ms=3)
    left.set_ylabel("amplification")
    right = left.twinx()
    right.bar(pd.to_datetime(chain["quarter_end"]), chain["chain_score_pctile"], width=40, alpha=0.25, color="tab:blue")
    right.set_ylabel("score (percentile)")
    left.set_title(f"Forced-selling chain: amplification and score by quarter{synthetic}")
    return figure_png(fig)


@cached_png
def asset_vulnerability_png(frames: ChainFrames) -> bytes:
    """PNG: mean chain price change by asset group in the latest quarter."""
    plt = pyplot()
    synthetic = synthetic_label(bool(frames.chain["is_synthetic"].iloc[-1]))
    groups = frames.assets.groupby("asset_group")["chain_price_change_pct"].mean().sort_values()
    fig, axis = plt.subplots(figsize=(7, 3))
    axis.barh(groups.index, groups.values, color="tab:purple")
    axis.set_xlabel("mean chain price change, %")
    axis.set_title(f"Asset vulnerability by group, {frames.chain['quarter_end'].iloc[-1]}{synthetic}", fontsize=10)
    return figure_png(fig)


def chain_plots_png(frames: ChainFrames) -> dict[str, bytes]:
    """Two PNG plots: amplification and score over time; price change by asset group (latest quarter)."""
    return {"chain_history.png": chain_history_png(frames), "asset_vulnerability.png": asset_vulnerability_png(frames)}
