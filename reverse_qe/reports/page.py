"""The report page: one self-contained HTML file with a section and a plot for every mart.

``read_page_data`` is the only function touching DuckDB (through a connection it is given, the
published copy's); ``build_page`` is pure, rows in and HTML out. The page needs nothing but itself:
every image is a PNG inlined as a data URI, the style is inline, and there is no script, font,
link or address outside the file, so it opens from disk, offline, in any browser. No Dagster.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Sequence

from reverse_qe.reports import (
    absorption,
    chain_units_plots,
    plots,
    policy_plots,
    reserve_floor,
    securities_plots,
)
from reverse_qe.reports import stress as stress_report
from reverse_qe.reports.summary import status_summary

Row = dict[str, Any]

# What the page reads of each mart it knows (columns from dbt_project/models/marts/*.sql and the
# _marts*.yml contracts); a mart it does not know still gets a section (rows and columns).
COLUMNS: dict[str, tuple[str, ...]] = {
    "fct_capex_absorption": absorption.COLUMNS,
    "fct_liquidity_bathtub": (
        "week_ending", "net_liquidity_bn", "net_liquidity_change_13w_bn", "tap_13w_bn", "treasury_drain_13w_bn",
        "rrp_release_13w_bn", "idle_pool_bn", "idle_pool_if_floor_lower_bn", "idle_pool_if_floor_higher_bn",
        "private_treasury_supply_13w_bn", "hyperscaler_funding_13w_bn", "demand_for_funds_13w_bn", "is_synthetic"),
    "fct_hyperscaler_funding": ("ticker", "calendar_quarter_end", "capex_bn", "external_funding_bn",
                                "self_funded_share", "is_synthetic"),
    "fct_divergence": ("week_ending", "speculative_return_pct", "near_cash_flow_return_pct", "spread_pp",
                       "is_synthetic"),
    "fct_divergence_by_regime": ("regime", "weeks", "mean_forward_13w_spread_pp", "min_forward_13w_spread_pp",
                                 "max_forward_13w_spread_pp", "is_synthetic"),
    "fct_forced_selling_chain": ("quarter_end", "amplification", "chain_score_pctile", "total_forced_sales_bn",
                                 "is_synthetic"),
    "fct_chain_asset_vulnerability": ("quarter_end", "cusip", "ticker", "asset_group", "forced_sales_bn",
                                      "chain_price_change_pct", "is_synthetic"),
    "fct_chain_holder_systemicness": ("quarter_end", "cik", "filer_name", "holder_type", "forced_sales_bn",
                                      "losses_caused_to_others_bn", "systemicness_share_pct", "is_synthetic"),
    "fct_policy_whatif": ("path_name", "week_ending", "starts_on", "idle_pool_bn", "score", "regime",
                          "baseline_idle_pool_bn", "baseline_score", "baseline_regime", "is_synthetic"),
    "fct_absorption_alerts": ("alert_id", "week_ending", "alert_kind", "threshold", "from_value", "to_value",
                              "score", "is_synthetic"),
    "fct_chain_bands": ("quarter_end", "amplification_p10", "amplification_p50", "amplification_p90",
                        "stress_amplification_threshold", "breaking_shock_pct", "stress_loss_threshold_pct",
                        "loss_breaking_shock_pct", "largest_shock_tried_pct", "is_synthetic"),
    "fct_13f_unit_reconciliation": ("quarter_end", "filings", "filings_with_summary", "filings_reconciled",
                                    "reconciled_share", "filings_unit_corrected", "filings_unit_unresolved",
                                    "filings_flagged", "value_bn", "value_corrected_bn", "value_flagged_bn",
                                    "is_synthetic"),
    "fct_13f_unit_exceptions": ("quarter_end", "accession_number", "cik", "filing_date", "submission_type",
                                "value_unit_by_rule", "value_unit", "unit_status", "unit_evidence", "price_ratio",
                                "value_bn", "total_reconciles", "is_flagged", "is_synthetic"),
}
# the daily bathtub (marts.fct_liquidity_daily) and the nowcast's errors
COLUMNS.update({
    "fct_liquidity_daily": ("business_date", "is_nowcast", "net_liquidity_bn", "fed_total_assets_bn", "reserves_bn",
                            "tga_bn", "on_rrp_bn", "idle_pool_bn", "is_synthetic"),
    "fct_liquidity_nowcast_errors": ("horizon", "period", "weeks_scored", "net_liquidity_abs_error_median_bn",
                                     "net_liquidity_abs_error_p90_bn", "net_liquidity_error_mean_bn",
                                     "net_liquidity_meets_target", "reserves_abs_error_median_bn",
                                     "reserves_abs_error_p90_bn", "reserves_error_mean_bn", "is_synthetic"),
})
ORDER_BY = {"fct_capex_absorption": "week_ending", "fct_liquidity_bathtub": "week_ending",
            "fct_hyperscaler_funding": "calendar_quarter_end, ticker", "fct_divergence": "week_ending",
            "fct_divergence_by_regime": "regime", "fct_forced_selling_chain": "quarter_end",
            "fct_chain_asset_vulnerability": "chain_price_change_pct, cusip",
            "fct_chain_holder_systemicness": "systemicness_share_pct desc, cik",
            "fct_policy_whatif": "path_name, week_ending", "fct_absorption_alerts": "week_ending, alert_id",
            "fct_chain_bands": "quarter_end", "fct_13f_unit_reconciliation": "quarter_end",
            "fct_13f_unit_exceptions": "quarter_end, accession_number"}
ORDER_BY.update({"fct_liquidity_daily": "business_date", "fct_liquidity_nowcast_errors": "horizon desc, period"})
LATEST_QUARTER_ONLY = ("fct_chain_asset_vulnerability", "fct_chain_holder_systemicness")
COVERAGE = "fct_source_coverage"

TITLES = {  # mart -> (heading, what the section answers)
    "fct_capex_absorption": ("Capex-absorption score",
                             "Is AI funding absorbing the idle money? The score (0-100) on the regime of each week."),
    "fct_liquidity_bathtub": ("Liquidity bathtub",
                              "The level of net liquidity and what moved it over 13 weeks; the idle pool against "
                              "the demand for funds."),
    "fct_hyperscaler_funding": ("Hyperscaler funding", "Who funds the capex, and how much of it is external money."),
    "fct_divergence": ("Divergence", "Speculative against near-cash-flow assets, week by week, by regime."),
    "fct_divergence_by_regime": ("Divergence by regime",
                                 "The spread over the 13 weeks after each week, grouped by that week's regime."),
    "fct_forced_selling_chain": ("Forced-selling chain", "How much a funding shock amplifies through 13F holders."),
    "fct_chain_asset_vulnerability": ("Asset vulnerability", "Which asset groups the chain hits hardest."),
    "fct_chain_holder_systemicness": ("Holder systemicness", "Whose forced sales cause the most losses to others."),
    "fct_policy_whatif": ("Policy what-ifs",
                          "Had the Fed bought (or run off) more, how much idle money would be left, and what "
                          "would the score say? Each path against the observed weeks."),
    "fct_absorption_alerts": ("Alerts", "When the held regime changed and when the score crossed a threshold."),
    "fct_chain_bands": ("Chain bands and breaking shock",
                        "How uncertain the chain's amplification is, and how small a funding shock breaks it."),
    "fct_13f_unit_reconciliation": ("13F value units",
                                    "Do the 13F filings add up in the unit they were read in? Per quarter."),
    "fct_13f_unit_exceptions": ("13F unit exceptions", "The filings read in the other unit, or flagged."),
    COVERAGE: ("Coverage by source", "Which sources were provided, and the dates their data covers."),
}
TITLES.update({
    "fct_liquidity_daily": ("Daily bathtub and nowcast",
                            ("Net liquidity every business day: the TGA and ON RRP as published, Fed assets and "
                             "reserves nowcast between the Wednesdays of the H.4.1, with the error the nowcast made.")),
    "fct_liquidity_nowcast_errors": ("Nowcast errors",
                                     "How far the daily nowcast was from the H.4.1 that followed it, by year."),
})

# The stress composites beside the score (issue 18): their own section and plot (reports/stress.py).
COLUMNS[stress_report.LEADLAG] = stress_report.LEADLAG_COLUMNS
ORDER_BY[stress_report.LEADLAG] = "series_id, lag_weeks"
TITLES[stress_report.LEADLAG] = (
    "Stress composites beside the score",
    "Does the absorption score lead, lag or restate STLFSI4, the NFCI and its subindexes? Both over time, "
    "and their correlation at each lag (k > 0: the score leads).")


@dataclass(frozen=True)
class PageData:
    marts: dict[str, list[Row]]  # every mart in the copy -> its rows (only counted for marts not in COLUMNS)
    row_counts: dict[str, int]
    columns: dict[str, list[str]]  # every mart -> its columns, as in the catalog
    status_text: str = ""
    publication: Row | None = None
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
    stress_readings: list[Row] = field(default_factory=list)  # int_stress__composites_weekly, for its plot


# ---------------------------------------------------------------------------------------------
# Reading (the published copy, through a connection it is given)
# ---------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _fetch(conn, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    cursor = conn.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [{n: _plain(v) for n, v in zip(names, row)} for row in cursor.fetchall()]


def read_page_data(conn) -> PageData:
    """Every mart's rows the page shows, the run summary and ``meta.publication`` (when present)."""
    marts = [name for (name,) in conn.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
    columns = {name: [c for (c,) in conn.execute(
        "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
        "order by ordinal_position", [name]).fetchall()] for name in marts}
    rows, counts = {}, {}
    for name in marts:  # names from the catalog; column lists from this module, quoted
        table = f'marts."{name}"'
        counts[name] = conn.execute(f"select count(*) from {table}").fetchone()[0]
        if name == COVERAGE:
            rows[name] = _fetch(conn, f"select * from {table}")
        elif name in COLUMNS:
            wanted = ", ".join(f'"{c}"' for c in COLUMNS[name])
            where = (f" where quarter_end = (select max(quarter_end) from {table})"
                     if name in LATEST_QUARTER_ONLY else "")
            rows[name] = _fetch(conn, f"select {wanted} from {table}{where} order by {ORDER_BY[name]}")
        else:
            rows[name] = []
    publication = None
    if conn.execute("select count(*) from information_schema.tables where table_schema = 'meta' "
                    "and table_name = 'publication'").fetchone()[0]:
        found = _fetch(conn, "select * exclude (coverage_json) from meta.publication "
                             "order by published_at_utc desc limit 1")
        publication = found[0] if found else None
    return PageData(rows, counts, columns, status_summary(conn), publication,
                    stress_readings=stress_report.read_readings(conn) if stress_report.LEADLAG in marts else [])


# ---------------------------------------------------------------------------------------------
# Building (pure)
# ---------------------------------------------------------------------------------------------
def _e(value: Any) -> str:
    return html.escape("–" if value is None else str(value))


def _img(png: bytes, alt: str) -> str:
    return (f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
            f"</figure>")


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _e(value)
    return _e(f"{value:,.3f}" if isinstance(value, float) else f"{value:,}")


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(
        f'<td class="num">{_number(v)}</td>' if isinstance(v, (int, float)) and not isinstance(v, bool)
        else f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _absorption(data: PageData, rows: list[Row]) -> str:
    latest = rows[-1]
    facts = [(label, latest.get(column), meaning) for column, label, meaning in absorption.COMPONENTS]
    return (_img(absorption.score_plot_png(rows), "capex-absorption score over time on its regime bands")
            + f"<h3>Week ending {_e(latest['week_ending'])}: the components</h3>"
            + _table(["component", "value", "meaning"], facts))


def _bathtub(data: PageData, rows: list[Row]) -> str:
    return (_img(plots.bathtub_png(rows), "bathtub level and its 13-week decomposition")
            + _img(plots.idle_pool_png(rows), "idle pool against demand for funds"))


def _funding(data: PageData, rows: list[Row]) -> str:
    return _img(plots.funding_png(rows), "hyperscaler capex and external funding by company")


def _divergence(data: PageData, rows: list[Row]) -> str:
    regimes = {r["week_ending"]: r["regime"] for r in data.marts.get("fct_capex_absorption", [])}
    return _img(plots.divergence_png(rows, regimes), "basket divergence on the absorption regime")


def _divergence_by_regime(data: PageData, rows: list[Row]) -> str:
    table = _table(["regime", "weeks", "mean forward 13w spread, pp", "min, pp", "max, pp"],
                   [(r["regime"], r["weeks"], r["mean_forward_13w_spread_pp"], r["min_forward_13w_spread_pp"],
                     r["max_forward_13w_spread_pp"]) for r in rows])
    return _img(plots.divergence_by_regime_png(rows), "forward 13-week spread by regime") + table


def _chain_frames(data: PageData):
    import pandas as pd

    from reverse_qe.reports.chain import ChainFrames

    return ChainFrames(pd.DataFrame(data.marts.get("fct_forced_selling_chain", [])),
                       pd.DataFrame(data.marts.get("fct_chain_asset_vulnerability", [])),
                       pd.DataFrame(data.marts.get("fct_chain_holder_systemicness", [])), pd.DataFrame())


def _chain_history(data: PageData, rows: list[Row]) -> str:
    from reverse_qe.reports.chain import chain_history_png

    return _img(chain_history_png(_chain_frames(data)), "chain amplification and score by quarter")


def _asset_vulnerability(data: PageData, rows: list[Row]) -> str:
    from reverse_qe.reports.chain import asset_vulnerability_png

    return _img(asset_vulnerability_png(_chain_frames(data)), "asset vulnerability by group, latest quarter")


def _holders(data: PageData, rows: list[Row]) -> str:
    return _img(plots.holders_png(rows), "holder systemicness, latest quarter")


def _policy_whatif(data: PageData, rows: list[Row]) -> str:
    table = _table(["path", "starts on", "weeks", "crowding-out weeks on the path", "observed", "latest score",
                    "observed"], policy_plots.whatif_table(rows))
    return _img(policy_plots.whatif_png(rows), "idle pool and score on each policy path against the baseline") + table


def _alerts(data: PageData, rows: list[Row]) -> str:
    table = _table(["week ending", "alert", "score"], [(r["week_ending"], policy_plots.alert_label(r), r["score"])
                                                       for r in rows[::-1]])
    return (_img(policy_plots.alerts_png(rows, data.marts.get("fct_capex_absorption", [])),
                 "the score with its alerts: held-regime changes and threshold crossings") + table)


def _chain_bands(data: PageData, rows: list[Row]) -> str:
    return _img(chain_units_plots.chain_bands_png(rows, data.marts.get("fct_forced_selling_chain", [])),
                "amplification p10-p90 band per quarter and the breaking shock")


def _unit_reconciliation(data: PageData, rows: list[Row]) -> str:
    return _img(chain_units_plots.unit_reconciliation_png(rows),
                "share of 13F filings reconciling per quarter, and the value corrected or flagged")


EXCEPTIONS_SHOWN = 50


def _unit_exceptions(data: PageData, rows: list[Row]) -> str:
    shown = sorted(rows, key=lambda r: -(r.get("value_bn") or 0.0))[:EXCEPTIONS_SHOWN]
    table = _table(["quarter", "accession", "CIK", "filed", "form", "unit by rule", "unit read", "status", "evidence",
                    "price ratio", "value, USD bn", "adds up", "flagged"],
                   [(r["quarter_end"], r["accession_number"], r["cik"], r["filing_date"], r["submission_type"],
                     r["value_unit_by_rule"], r["value_unit"], r["unit_status"], r["unit_evidence"], r["price_ratio"],
                     r["value_bn"], r["total_reconciles"], r["is_flagged"]) for r in shown])
    more = f"<p>The {EXCEPTIONS_SHOWN} largest of {len(rows):,}.</p>" if len(rows) > EXCEPTIONS_SHOWN else ""
    return _img(chain_units_plots.unit_exceptions_png(rows), "13F filings with a corrected or flagged unit") + table + more


def _coverage(data: PageData, rows: list[Row]) -> str:
    header = data.columns[COVERAGE]
    return _table(header, [[r.get(c) for c in header] for r in rows])


def _liquidity_daily(data: PageData, rows: list[Row]) -> str:
    errors = data.marts.get("fct_liquidity_nowcast_errors", [])
    return _img(plots.liquidity_daily_png(rows, errors), "daily net liquidity with the nowcast's error band")


def _nowcast_errors(data: PageData, rows: list[Row]) -> str:
    table = _table(["horizon", "period", "Wednesdays", "net liquidity |error| median, bn", "p90, bn", "mean error, bn",
                    "within target", "reserves |error| median, bn", "p90, bn", "mean error, bn"],
                   [(r["horizon"], r["period"], r["weeks_scored"], r["net_liquidity_abs_error_median_bn"],
                     r["net_liquidity_abs_error_p90_bn"], r["net_liquidity_error_mean_bn"],
                     r["net_liquidity_meets_target"], r["reserves_abs_error_median_bn"],
                     r["reserves_abs_error_p90_bn"], r["reserves_error_mean_bn"]) for r in rows])
    return _img(plots.nowcast_errors_png(rows), "the nowcast's median and p90 |error| by year") + table


def _stress_composites(data: PageData, rows: list[Row]) -> str:
    strongest = [(r["series_id"], r["lag_weeks"], r["correlation"], r["overlapping_weeks"])
                 for r in rows if r.get("is_strongest")]
    table = (_table(["composite", "strongest lag, weeks", "correlation", "overlapping weeks"], strongest)
             if strongest else _table(["composite", "why no correlation"],
                                      [(r["series_id"], r.get("null_reason")) for r in rows if r["lag_weeks"] == 0]))
    png = stress_report.score_beside_composites_png(data.marts.get("fct_capex_absorption", []),
                                                    data.stress_readings, rows)
    return _img(png, "absorption score beside the stress composites, and their lead/lag correlation") + table


SECTIONS: dict[str, Callable[[PageData, list[Row]], str]] = {
    "fct_capex_absorption": _absorption,
    "fct_liquidity_bathtub": _bathtub,
    "fct_absorption_alerts": _alerts,
    "fct_policy_whatif": _policy_whatif,
    "fct_hyperscaler_funding": _funding,
    "fct_divergence": _divergence,
    "fct_divergence_by_regime": _divergence_by_regime,
    "fct_forced_selling_chain": _chain_history,
    "fct_chain_bands": _chain_bands,
    "fct_chain_asset_vulnerability": _asset_vulnerability,
    "fct_chain_holder_systemicness": _holders,
    "fct_13f_unit_reconciliation": _unit_reconciliation,
    "fct_13f_unit_exceptions": _unit_exceptions,
    COVERAGE: _coverage,
}
SECTIONS.update({"fct_liquidity_daily": _liquidity_daily, "fct_liquidity_nowcast_errors": _nowcast_errors})



# The security map (marts.fct_13f_mapping_coverage, fct_13f_value_by_asset_group), kept in one block.
COLUMNS.update({
    "fct_13f_mapping_coverage": ("quarter_end", "securities", "securities_mapped", "value_bn", "mapped_value_bn",
                                 "unmapped_value_bn", "mapped_value_share", "orphan_new_holdings_amendments",
                                 "orphan_new_holdings_value_bn", "is_synthetic"),
    "fct_13f_value_by_asset_group": ("quarter_end", "asset_group", "securities", "value_bn", "value_share",
                                     "is_synthetic"),
})
ORDER_BY.update({"fct_13f_mapping_coverage": "quarter_end", "fct_13f_value_by_asset_group": "quarter_end, asset_group"})
TITLES.update({
    "fct_13f_mapping_coverage": ("13F security map coverage",
                                 "How much of each quarter's 13F value has an asset group; the rest stays 'unmapped'."),
    "fct_13f_value_by_asset_group": ("13F value by asset group", "Where 13F money sits, quarter by quarter."),
})
SECTIONS.update({
    "fct_13f_mapping_coverage": lambda data, rows: _img(securities_plots.mapping_coverage_png(rows),
                                                         "13F value mapped to an asset group per quarter"),
    "fct_13f_value_by_asset_group": lambda data, rows: _img(securities_plots.value_by_asset_group_png(rows),
                                                             "13F value by asset group per quarter"),
})

# The estimated reserve floor: its section, and the bathtub columns its plots read (the fixed floor,
# the idle pool at the estimated floor), kept in one block.
FLOOR = "fct_reserve_floor_estimates"


def _reserve_floor(data: PageData, rows: list[Row]) -> str:
    bathtub = data.marts.get("fct_liquidity_bathtub") or [{}]
    return _img(reserve_floor.reserve_floor_png(rows, bathtub[-1].get("reserve_floor_bn")),
                "reserves against SOFR - IORB with the estimated reserve floor")


COLUMNS[FLOOR] = reserve_floor.COLUMNS
COLUMNS["fct_liquidity_bathtub"] += ("reserve_floor_bn", "idle_pool_estimated_floor_bn")
ORDER_BY[FLOOR] = "week_ending"
TITLES[FLOOR] = ("Estimated reserve floor",
                 ("Below which reserves level does the money-market spread start to rise? Refitted each week "
                  "on the three years before it."))
SECTIONS[FLOOR] = _reserve_floor


SECTIONS[stress_report.LEADLAG] = _stress_composites


def _stress_episodes(data: PageData, rows: list[Row]) -> str:
    table = _table(["episode", "series", "before", "peak", "peak's percentile", "why no reading"],
                   [(r["episode_name"], r["series_id"], r["reading_before"], r["reading_peak"], r["peak_pctile"],
                     r["null_reason"]) for r in rows])
    return _img(stress_report.episodes_png(rows), "each series' peak percentile in each named episode") + table


COLUMNS[stress_report.EPISODES] = ("episode_id", "episode_name", "starts_on", "series_id", "reading_before",
                                   "reading_peak", "peak_pctile", "null_reason", "is_synthetic")
ORDER_BY[stress_report.EPISODES] = "starts_on, series_id"
TITLES[stress_report.EPISODES] = ("Named stress episodes",
                                  "Sep 2019 repo spike, Mar 2020, Mar 2023, the 2025 drain: what each series read.")
SECTIONS[stress_report.EPISODES] = _stress_episodes


def _section(data: PageData, mart: str) -> str:
    heading, question = TITLES.get(mart, (mart, "A mart this page has no plot for yet."))
    rows = data.marts.get(mart, [])
    count = data.row_counts.get(mart, 0)
    if mart not in SECTIONS:
        body = f"<p>{count:,} rows; columns: {_e(', '.join(data.columns.get(mart, [])))}.</p>"
    elif not rows:
        body = "<p class=\"empty\">No rows yet.</p>"
    else:
        body = SECTIONS[mart](data, rows)
    synthetic = any(r.get("is_synthetic") for r in rows)
    tag = ' <span class="synthetic">SYNTHETIC</span>' if synthetic else ""
    return (f'<section class="mart" id="{_e(mart)}" data-mart="marts.{_e(mart)}">'
            f"<h2>{_e(heading)}{tag}</h2><p class=\"what\">{_e(question)} "
            f"<code>marts.{_e(mart)}</code>, {count:,} rows.</p>{body}</section>")


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1d1d1f;
background:#fafafa}
header{background:#fff;border-bottom:1px solid #ddd;padding:16px 32px}
main{max-width:1000px;margin:0 auto;padding:8px 32px 48px}
h1{font-size:1.5rem;margin:0 0 4px}
h2{font-size:1.2rem;margin:32px 0 4px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:1rem;margin:16px 0 4px}
.meta{color:#555;font-size:.85rem;margin:4px 0}
.banner{background:#b00020;color:#fff;font-weight:600;padding:8px 32px;letter-spacing:.02em}
.synthetic{background:#b00020;color:#fff;font-size:.7rem;padding:2px 6px;border-radius:3px;vertical-align:middle}
.what{color:#444;margin:4px 0 8px}
pre{background:#fff;border:1px solid #ddd;padding:12px;overflow-x:auto;white-space:pre-wrap;font-size:.78rem;line-height:1.35}
figure{margin:8px 0 16px}
img{max-width:100%;height:auto;border:1px solid #eee;background:#fff}
table{border-collapse:collapse;font-size:.82rem;margin:8px 0;background:#fff}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
nav ol{columns:2;font-size:.9rem;padding-left:20px}
nav a{color:#0645ad}
.empty{color:#777;font-style:italic}
"""


def build_page(data: PageData) -> str:
    """The whole page: header (publication, status), contents, then one section per mart."""
    known = [m for m in SECTIONS if m in data.marts]
    marts = known + sorted(m for m in data.marts if m not in SECTIONS)
    publication = data.publication or {}
    synthetic = publication.get("source_mode") == "scenario" or any(
        r.get("is_synthetic") for rows in data.marts.values() for r in rows)
    banner = ('<div class="banner">SYNTHETIC: built from the bundled scenario; every number on this page is '
              "generated, not measured.</div>") if synthetic else ""
    if publication:
        at = publication.get("published_at_utc")
        at = f"{at:%Y-%m-%d %H:%M:%S}" if isinstance(at, dt.datetime) else at
        facts = (f"Published {_e(at)} UTC · run {_e(publication.get('run_id'))} "
                 f"· sources {_e(publication.get('source_mode'))} · code {_e(str(publication.get('code_version'))[:12])}")
    else:
        facts = "No meta.publication in this copy."
    contents = "".join(f'<li><a href="#{_e(m)}">{_e(TITLES.get(m, (m,))[0])}</a></li>' for m in marts)
    sections = "".join(_section(data, m) for m in marts)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Reverse-QE Monitor: report</title>"
        f"<style>{STYLE}</style></head><body>{banner}<header><h1>Reverse-QE Monitor</h1>"
        "<p class=\"meta\">Is AI capital spending draining market liquidity? One section per mart of the "
        f"published copy.</p><p class=\"meta\">{facts} · page written "
        f"{_e(f'{data.generated_at:%Y-%m-%d %H:%M:%S}')} UTC</p></header><main>"
        f"<h2>Status</h2><pre>{_e(data.status_text)}</pre>"
        f"<nav><h2>Marts</h2><ol>{contents}</ol></nav>{sections}</main></body></html>\n"
    )
