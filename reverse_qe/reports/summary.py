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
        if score and "regime_held" in _columns(conn, "marts", "fct_capex_absorption"):
            held, weeks, reason = conn.execute(
                "select regime_held, weeks_in_regime_held, regime_reason from marts.fct_capex_absorption "
                "where week_ending = ?", [score[0]]).fetchone()
            lines.append(f"  held regime {held or 'none'} ({weeks} week(s)); raw call {score[1]}: {reason}")
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


def reserve_floor_by_year(conn) -> list[str]:
    """Per year of the floor estimates: reserves, the estimated floor in use (the latest fit at or
    before each week), the weeks reserves sat above it and above the fixed floor, and the
    crowding-out calls at each floor where the absorption mart has weeks."""
    if not _has_table(conn, "marts", "fct_reserve_floor_estimates"):
        return []
    rows = conn.execute(
        "with floors as (select week_ending, reserves_bn, reserve_floor_estimate_bn, "
        "last_value(reserve_floor_estimate_bn ignore nulls) over (order by week_ending) as floor_in_use "
        "from marts.fct_reserve_floor_estimates), "
        "fixed as (select max(reserve_floor_bn) as floor from marts.fct_liquidity_bathtub) "
        "select year(f.week_ending), count(*), round(min(f.reserves_bn)), round(max(f.reserves_bn)), "
        "count(f.reserve_floor_estimate_bn), round(min(f.floor_in_use)), round(max(f.floor_in_use)), "
        "count(*) filter (where f.reserves_bn > fixed.floor), count(*) filter (where f.reserves_bn > f.floor_in_use), "
        "count(*) filter (where a.regime = 'crowding_out'), count(*) filter (where a.regime_estimated_floor = 'crowding_out') "
        "from floors f cross join fixed left join marts.fct_capex_absorption a using (week_ending) "
        "group by 1 order by 1").fetchall()
    if not rows:
        return []
    return ["Reserve floor by year (bn; weeks): the fixed floor against the one estimated from SOFR - IORB:", *(
        "  " + line for line in table_text(
            ["year", "weeks", "reserves min", "max", "fitted", "est. floor min", "max", "above fixed",
             "above est.", "crowding_out fixed", "at est."], rows))]


def chain_latest(conn) -> list[str]:
    if not _has_table(conn, "marts", "fct_forced_selling_chain"):
        return []
    row = conn.execute("select quarter_end, amplification, chain_score_pctile, total_forced_sales_bn "
                       "from marts.fct_forced_selling_chain order by quarter_end desc limit 1").fetchone()
    if row is None:
        return ["No forced-selling chain: no 13F holdings loaded."]
    quarter, amplification, score, sales = row
    return [f"Latest chain quarter {quarter}: amplification {_fmt(amplification, '.3f')} (score "
            f"{_fmt(score, '.0f')}th percentile), forced sales {_fmt(sales)} bn"]


def stress_composites(conn) -> list[str]:
    """Each stress composite against the score (its correlation at lag 0 and its strongest lag), then
    each named episode's peak per series, from the two stress marts."""
    if not (_has_table(conn, "marts", "fct_stress_composite_leadlag") and _has_table(conn, "marts", "fct_stress_episodes")):
        return []
    rows = conn.execute(
        "select series_id, max(overlapping_weeks) filter (where lag_weeks = 0), "
        "max(correlation) filter (where lag_weeks = 0), max(lag_weeks) filter (where is_strongest), "
        "max(correlation) filter (where is_strongest), mode(null_reason) "
        "from marts.fct_stress_composite_leadlag group by series_id order by series_id").fetchall()
    lines = ["Stress composites against the absorption score (lag k pairs the score of week w with the composite "
             "of week w + k; k > 0: the score leads):"]
    if any(row[2] is not None for row in rows):
        lines += ["  " + line for line in table_text(
            ["composite", "weeks", "r at lag 0", "strongest lag", "r there"],
            [(s, n, _fmt(r0, ".2f"), None if k is None else f"{k:+d}", _fmt(rk, ".2f")) for s, n, r0, k, rk, _ in rows])]
    else:
        lines += [f"  {s}: no correlation: {reason}" for s, *_, reason in rows]
    episodes = conn.execute(
        "select episode_id, series_id, reading_peak, null_reason, regime_held_most_weeks, crowding_out_weeks, "
        "absorption_weeks from marts.fct_stress_episodes order by starts_on, episode_id, series_id").fetchall()
    if not episodes:
        return lines
    series = list(dict.fromkeys(r[1] for r in episodes))
    by_episode: dict[str, dict] = {}
    for episode, series_id, peak, _, held, crowding, weeks in episodes:
        entry = by_episode.setdefault(episode, {"held": held, "crowding": f"{crowding}/{weeks}"})
        entry[series_id] = _fmt(peak, ".0f" if series_id == "absorption_score" else ".2f")
    lines.append("Stress episodes, each series' peak over the episode's weeks (fct_stress_episodes):")
    lines += ["  " + line for line in table_text(
        ["episode", *[s.replace("absorption_score", "score") for s in series], "held regime", "crowding-out weeks"],
        [(e, *[v[s] for s in series], v["held"], v["crowding"]) for e, v in by_episode.items()])]
    reasons: dict[str, dict[str, str]] = {}  # series -> episode -> why no peak
    for episode, series_id, peak, reason, *_ in episodes:
        if peak is None and reason:
            reasons.setdefault(series_id, {})[episode] = reason
    for series_id, by_reason in reasons.items():
        name = series_id.replace("absorption_score", "score")
        if len(set(by_reason.values())) == 1:
            lines.append(f"  {name} –: {next(iter(by_reason.values()))}")
        else:
            lines += [f"  {name} – in {episode}: {reason}" for episode, reason in by_reason.items()]
    return lines


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


# ---------------------------------------------------------------------------------------------
# `make status` (orchestration/status.py): the answer now, read from the published copy alone.
# ---------------------------------------------------------------------------------------------
def _columns(conn, schema: str, name: str) -> list[str]:
    return [c for (c,) in conn.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, name]).fetchall()]


def publication(conn) -> list[str]:
    """When the copy was published, by which run, from which source mode and code (``meta.publication``)."""
    if not _has_table(conn, "meta", "publication"):
        return ["Published: no meta.publication in this copy (published by an older version)."]
    row = conn.execute("select published_at_utc, run_id, source_mode, code_version from meta.publication "
                       "order by published_at_utc desc limit 1").fetchone()
    if row is None:
        return ["Published: meta.publication is empty."]
    at, run_id, mode, code = row
    synthetic = " (SYNTHETIC scenario)" if mode == "scenario" else ""
    return [f"Published {at:%Y-%m-%d %H:%M:%S} UTC by run {run_id or 'unknown'}; sources {mode or 'unknown'}"
            f"{synthetic}; code {code}"]


def regime_runs(regimes: Sequence[Any]) -> int:
    """How many weeks, counting back from the first (the latest), share its regime (None included)."""
    count = 0
    for regime in regimes:
        if regime != regimes[0]:
            break
        count += 1
    return count


def latest_regime(conn) -> tuple[list[str], Any]:
    """The latest week of ``marts.fct_capex_absorption``: its regime and score, every reason column
    (``score_null_reason``, ...), and the weeks in the current regime; and that week (or None)."""
    if not _has_table(conn, "marts", "fct_capex_absorption"):
        return ["No absorption score yet (marts.fct_capex_absorption is missing)."], None
    columns = _columns(conn, "marts", "fct_capex_absorption")
    reasons = [c for c in columns if "reason" in c]
    synthetic = "is_synthetic" if "is_synthetic" in columns else "false"
    # column names come from the catalog, quoted
    extra = "".join(f', "{c}"' for c in reasons)
    rows = conn.execute(f"select week_ending, regime, score, {synthetic}{extra} from marts.fct_capex_absorption "
                        "order by week_ending desc").fetchall()
    if not rows:
        return ["marts.fct_capex_absorption is empty: no week scored yet."], None
    week, regime, score, is_synthetic, *reason_values = rows[0]
    weeks = regime_runs([r[1] for r in rows])
    since = rows[weeks - 1][0]
    label = " (SYNTHETIC scenario)" if is_synthetic else ""
    lines = [f"Latest week {week}{label}: regime {regime or 'none'}, score {_fmt(score, '.1f')} (0-100)"]
    if regime is None:
        lines.append(f"  no regime for {weeks} week(s), since the week of {since}")
    else:
        lines.append(f"  {weeks} week(s) in {regime}, since the week of {since}")
    if "regime_held" in columns:
        lines.append(held_regime(conn))
    lines += [f"  {name}: {value if value is not None else '–'}" for name, value in zip(reasons, reason_values)]
    return lines, week


def held_regime(conn) -> str:
    """The latest week's held regime (it changes only once a new raw call has lasted
    ``regime_min_weeks`` weeks), how long it has held and since when."""
    held, weeks = conn.execute("select regime_held, weeks_in_regime_held from marts.fct_capex_absorption "
                               "order by week_ending desc limit 1").fetchone()
    since = conn.execute("select week_ending from marts.fct_capex_absorption order by week_ending desc "
                         "limit 1 offset ?", [weeks - 1]).fetchone()[0]
    return (f"  held regime {held or 'none'} for {weeks} week(s), since the week of {since} (it changes only "
            f"after regime_min_weeks weeks in a row of a new raw call)")


def bathtub_week(conn, week) -> list[str]:
    """The bathtub's level (net liquidity) and idle pool in ``week``."""
    if not _has_table(conn, "marts", "fct_liquidity_bathtub"):
        return ["No bathtub (marts.fct_liquidity_bathtub is missing)."]
    row = conn.execute("select net_liquidity_bn, idle_pool_bn, on_rrp_bn, excess_reserves_bn "
                       "from marts.fct_liquidity_bathtub where week_ending = ?", [week]).fetchone()
    if row is None:
        return [f"Bathtub: no row for the week of {week}."]
    level, idle, rrp, excess = row
    return [f"Bathtub that week: level (net liquidity) {_fmt(level)} bn; idle pool {_fmt(idle)} bn "
            f"= ON RRP {_fmt(rrp)} + reserves above the floor {_fmt(excess)}"]


def freshness(conn) -> list[str]:
    """Per raw table: its source, provided or not in the newest run that read it, rows that run
    read (``raw.source_status``), rows now and the data's own latest date (``meta.raw_tables``)."""
    status, dates = {}, {}
    if _has_table(conn, "raw", "source_status"):
        status = {t: (s, p, n, d) for t, s, p, n, d in conn.execute(
            "select table_name, source, provided, rows_loaded, detail from raw.source_status").fetchall()}
    if _has_table(conn, "meta", "raw_tables"):
        dates = {t: (n, last) for t, n, last in conn.execute(
            "select table_name, row_count, latest_date from meta.raw_tables").fetchall()}
    if not status and not dates:
        return ["Data freshness: unknown (neither raw.source_status nor meta.raw_tables in this copy)."]
    rows = []
    for table in sorted(set(status) | set(dates)):
        source, provided, loaded, detail = status.get(table, (None, None, None, None))
        count, last = dates.get(table, (None, None))
        shown = None if provided is None else ("yes" if provided else "NOT PROVIDED")
        rows.append((source, f"raw.{table}", shown, None if loaded is None else f"{loaded:,}",
                     None if count is None else f"{count:,}", last, detail or ""))
    rows.sort(key=lambda r: (r[0] or "~", r[1]))
    return ["Data freshness by source:", *("  " + line for line in table_text(
        ["source", "table", "provided", "rows read", "rows", "latest date", "note"], rows))]


def status_summary(conn) -> str:
    """What `make status` prints: the publication, the latest week's regime and score, the bathtub
    that week, the chain's latest quarter, and the data's freshness per source."""
    regime, week = latest_regime(conn)
    parts = [publication(conn), regime, bathtub_week(conn, week) if week is not None else [],
             chain_latest(conn), freshness(conn)]
    return "\n".join(line for part in parts for line in part)
