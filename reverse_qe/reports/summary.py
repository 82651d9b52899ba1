"""The run summary a person reads at the end of a run: the latest week, the regime by year, the
chain's latest quarter, and which sources were provided with the dates they cover.

Plain functions of a DuckDB connection (read-only is enough); each part says so when the table it
reads is absent or empty, so a partial set of sources still gets a summary.
"""

from __future__ import annotations

from typing import Any, Sequence


def _has_table(conn, schema: str, name: str) -> bool:
    return conn.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                        [schema, name]).fetchone()[0] > 0


def _fmt(value: Any, spec: str = ",.1f") -> str:
    return "–" if value is None else format(float(value), spec)


def table_text(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A plain-text table with aligned columns (numbers right, text left)."""
    cells = [[str(h) for h in header]] + [["–" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [all(_is_number(row[i]) for row in cells[1:]) and len(cells) > 1 for i in range(len(header))]
    return ["  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)).rstrip()
            for row in cells]


def _is_number(text: str) -> bool:
    return text == "–" or text.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()


def mart_row_counts(conn) -> list[str]:
    marts = [name for (name,) in conn.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
    lines = ["Marts:"]
    for name in marts:
        count = conn.execute(f'select count(*) from marts."{name}"').fetchone()[0]  # names from the catalog
        lines.append(f"  marts.{name:<32} {count:>8,} rows")
    return lines


def latest_week(conn) -> list[str]:
    if not _has_table(conn, "marts", "fct_liquidity_bathtub"):
        return ["No bathtub yet (marts.fct_liquidity_bathtub is missing)."]
    row = conn.execute(
        "select week_ending, net_liquidity_bn, fed_total_assets_bn, tga_bn, on_rrp_bn, reserves_bn, idle_pool_bn, "
        "is_synthetic from marts.fct_liquidity_bathtub where net_liquidity_bn is not null "
        "order by week_ending desc limit 1").fetchone()
    if row is None:
        return ["No week has all of Fed assets, TGA and ON RRP yet: the bathtub is empty."]
    week, net, assets, tga, rrp, reserves, idle, synthetic = row
    label = " (SYNTHETIC scenario)" if synthetic else ""
    lines = [f"Latest week {week}{label}: net liquidity {_fmt(net)} bn = Fed assets {_fmt(assets)} − TGA {_fmt(tga)} "
             f"− ON RRP {_fmt(rrp)}; reserves {_fmt(reserves)} bn, idle pool {_fmt(idle)} bn"]
    if _has_table(conn, "marts", "fct_capex_absorption"):
        score = conn.execute("select week_ending, regime, score, slack_bn, absorption_ratio from marts.fct_capex_absorption "
                             "where regime is not null order by week_ending desc limit 1").fetchone()
        if score:
            lines.append(f"Regime {score[1]} in the week of {score[0]}: score {_fmt(score[2], '.0f')}, slack "
                         f"{_fmt(score[3])} bn, absorption ratio {_fmt(score[4], '.3f')}")
    return lines


def regime_by_year(conn) -> list[str]:
    """Weeks per regime each year, the mean score, and why weeks have no regime (the most common reason)."""
    if not _has_table(conn, "marts", "fct_capex_absorption"):
        return []
    rows = conn.execute(
        "select year(week_ending) as year, count(*) filter (where regime = 'ample'), "
        "count(*) filter (where regime = 'tightening'), count(*) filter (where regime = 'crowding_out'), "
        "count(*) filter (where regime is null), round(avg(score), 1), "
        "mode(score_null_reason) filter (where regime is null) "
        "from marts.fct_capex_absorption group by 1 order by 1").fetchall()
    if not rows:
        return []
    return ["Regime by year (weeks):", *("  " + line for line in table_text(
        ["year", "ample", "tightening", "crowding_out", "no regime", "mean score", "why no regime (most weeks)"],
        [(*row[:6], row[6] or "") for row in rows]))]


def chain_latest(conn) -> list[str]:
    if not _has_table(conn, "marts", "fct_forced_selling_chain"):
        return []
    row = conn.execute("select quarter_end, amplification, chain_score_pct, total_forced_sales_bn "
                       "from marts.fct_forced_selling_chain order by quarter_end desc limit 1").fetchone()
    if row is None:
        return ["No forced-selling chain: no 13F holdings loaded."]
    quarter, amplification, score, sales = row
    return [f"Latest chain quarter {quarter}: amplification {_fmt(amplification, '.3f')} (score "
            f"{_fmt(score, '.0f')}th percentile), forced sales {_fmt(sales)} bn"]


def coverage(conn, note_width: int = 70, replay: str | None = None) -> list[str]:
    """Per raw table (and FRED series): provided or not (and why), the data's first and last date, rows
    (with paths inside the ``replay`` directory, if given, shown as ``<replay>/...``)."""
    if _has_table(conn, "marts", "fct_source_coverage"):
        rows = conn.execute("select source, table_name, series_id, provided, first_date, last_date, row_count, detail "
                            "from marts.fct_source_coverage order by source, table_name, series_id").fetchall()
    elif _has_table(conn, "raw", "source_status"):
        rows = conn.execute("select source, table_name, null, provided, null, null, rows_loaded, detail "
                            "from raw.source_status order by source, table_name").fetchall()
    else:
        return []
    shown = [(s, t, i or "", "yes" if p else "NOT PROVIDED", f, l, f"{n:,}" if n is not None else None,
              _shorten((d or "").replace(f"{replay}/", "<replay>/") if replay else d or "", note_width))
             for s, t, i, p, f, l, n, d in rows]
    return ["Coverage by source:", *("  " + line for line in table_text(
        ["source", "table", "series", "provided", "first", "last", "rows", "note"], shown))]


def _shorten(text: str, width: int) -> str:
    """The reason without the replay-layout hint, cut to ``width`` characters."""
    text = text.split(" (a replay directory holds")[0]
    return text if len(text) <= width else text[: width - 1] + "…"


def not_provided(conn) -> list[str]:
    if not _has_table(conn, "raw", "source_status"):
        return []
    rows = conn.execute("select table_name, detail from raw.source_status where not provided order by 1").fetchall()
    return [f"Not provided: raw.{name}: {detail}" for name, detail in rows]


def run_summary(conn) -> str:
    parts = [mart_row_counts(conn), chain_latest(conn), latest_week(conn), regime_by_year(conn), coverage(conn)]
    return "\n".join(line for part in parts for line in part)
