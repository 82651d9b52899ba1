"""The holdings and chain models rebuild only the quarters whose inputs changed (macros/quarterly.sql),
and what they leave is what a full rebuild would give.

One copy of the session's scenario warehouse goes through three steps, each a ``dbt run`` of the
models downstream of what changed (as the weekday's transform would, without the rest of the
pipeline): a weekday's new prices; then a late 13F amendment of an old quarter together with a
new OpenFIGI answer for a CUSIP held in one other old quarter; then ``--full-refresh``.

"Untouched" is observed from outside the mechanism: before a build, the rows of some quarters are
deleted from the quarterly tables. A build that leaves a quarter alone cannot bring them back; one
that rebuilds it does. The rows are put back afterwards. The final tables are compared with a
``--full-refresh`` on the same raw tables: the same rows, doubles within 1e-12 relative, decimals
within their last place. Not byte for byte, as tests/e2e/test_deterministic_marts.py compares two
full builds: a model reading a few quarters joins them in another order than one reading all, so a
sum of doubles can add up in another order (measured: 2.6e-14 relative at most).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil

import duckdb
import pytest

from reverse_qe.table_fingerprints import fingerprints
from tests.conftest import run_dbt

pytestmark = pytest.mark.slow

# The models incremental by quarter (the 13F holdings and the chain): the column holding each one's
# quarter, and the fingerprint model it rebuilds by.
H, C = "int_holdings__quarter_inputs", "int_chain__quarter_inputs"
QUARTERLY = {
    "intermediate.int_holdings__reference_prices": ("period_of_report", H),
    "intermediate.int_holdings__filing_units": ("period_of_report", H),
    "intermediate.int_holdings__effective_filings": ("period_of_report", H),
    "intermediate.int_holdings__positions": ("period_of_report", H),
    "intermediate.int_holdings__option_positions": ("period_of_report", H),
    "intermediate.int_holdings__restatements": ("period_of_report", H),
    "intermediate.int_holdings__implied_flows": ("period_of_report", H),
    "marts.fct_13f_unit_reconciliation": ("quarter_end", H),
    "marts.fct_13f_unit_exceptions": ("quarter_end", H),
    "intermediate.int_chain__exposures": ("quarter_end", C),
    "intermediate.int_chain__shocks": ("quarter_end", C),
    "intermediate.int_chain__rounds": ("quarter_end", C),
    "intermediate.int_chain__scenario_outcomes": ("quarter_end", C),
    "marts.fct_chain_bands": ("quarter_end", C),
    "marts.fct_chain_asset_vulnerability": ("quarter_end", C),
    "marts.fct_chain_holder_systemicness": ("quarter_end", C),
}
HOLDINGS = {table for table, (_, inputs) in QUARTERLY.items() if inputs == H}
CHAIN = {table for table, (_, inputs) in QUARTERLY.items() if inputs == C}
EARLIER, LATEST = dt.date(2024, 6, 30), dt.date(2026, 9, 30)  # the scenario's last 13F period to 2026-11-20
WEEKDAY = dt.date(2026, 11, 23)  # the Monday after the scenario's last day
AMENDED, NEXT, UNRELATED = dt.date(2024, 6, 30), dt.date(2024, 9, 30), dt.date(2023, 3, 31)
# dbt's models downstream of what each step changes
PRICES = ["source:raw.stooq_daily_prices+", "source:raw.coinbase_daily_candles+"]
FROM_13F_AND_MAP = ["source:raw.sec13f_submissions+", "source:raw.sec13f_coverpages+",
                    "source:raw.sec13f_summarypages+", "source:raw.sec13f_infotable+", "source:raw.openfigi_mappings+"]


class Warehouse:
    """A copy of the scenario warehouse and the dbt calls on it. One target folder and one warehouse
    path for every call, so dbt's partial parse applies from the second call on."""

    def __init__(self, path, target):
        self.path, self.target = path, target
        self.keys_seen: dict[str, dict[tuple[str, dt.date], bool]] = {}  # keys_tested at each step
        self.prints_seen: dict[str, dict[str, str]] = {}  # the quarterly tables' fingerprints at each step

    def keys_tested(self) -> dict[tuple[str, dt.date], bool]:
        """meta.dbt_quarter_builds' keys_tested per (model, quarter): whether the rows built from the
        quarter's fingerprint passed the model's unique_key tests (macros/quarterly.sql)."""
        with duckdb.connect(str(self.path), read_only=True) as conn:
            return {(model, quarter): tested for model, quarter, tested in conn.execute(
                "select model_name, quarter_end, keys_tested from meta.dbt_quarter_builds").fetchall()}

    def quarterly_prints(self) -> dict[str, str]:
        """The fingerprint the publish compares for each quarterly table (reverse_qe.table_fingerprints:
        its build record in meta.dbt_quarter_builds, not its rows)."""
        with duckdb.connect(str(self.path), read_only=True) as conn:
            name = conn.execute("select current_database()").fetchone()[0]
            return {f"{schema}.{table}": print_.digest for (schema, table), print_ in fingerprints(conn, name).items()
                    if f"{schema}.{table}" in QUARTERLY}

    def dbt_run(self, select: list[str], *args: str) -> None:
        done = run_dbt("run", self.path, self.target, "--select", " ".join(select), *args)
        assert done.returncode == 0, done.stdout[-3000:]

    def quarterly_models(self) -> dict[str, tuple[str, str]]:
        """Each model the last call's manifest declares incremental by quarter: the column holding
        its quarter, and the fingerprint model it rebuilds by."""
        manifest = json.loads((self.target / "manifest.json").read_text())
        return {f"{node['config']['schema']}.{node['name']}": (
                    node["config"]["unique_key"],
                    next(n.split(".")[-1] for n in node["depends_on"]["nodes"] if n.endswith("__quarter_inputs")))
                for node in manifest["nodes"].values()
                if node["resource_type"] == "model" and node["config"].get("incremental_strategy") == "quarters"}

    def take_out(self, quarters: dict[str, list[dt.date]]) -> None:
        """Move the rows of the quarters, per fingerprint model (``quarters[inputs]``), out of every
        quarterly table into a table of their own."""
        with duckdb.connect(str(self.path)) as conn:
            conn.execute("create schema taken")
            for table, (key, inputs) in QUARTERLY.items():
                out = f"taken.{table.replace('.', '__')}"
                conn.execute(f"create table {out} as select * from {table} where {key} in (select unnest(?))",
                             [quarters.get(inputs, [])])
                conn.execute(f"delete from {table} where {key} in (select unnest(?))", [quarters.get(inputs, [])])

    def back_again(self) -> dict[tuple[str, dt.date], bool]:
        """For each (table, quarter) taken out, whether a build has written rows there again; then
        the rows taken out are put back where nothing was."""
        rebuilt = {}
        with duckdb.connect(str(self.path)) as conn:
            for table, (key, _) in QUARTERLY.items():
                out = f"taken.{table.replace('.', '__')}"
                for (quarter,) in conn.execute(f"select distinct {key} from {out}").fetchall():
                    present = conn.execute(f"select count(*) from {table} where {key} = ?", [quarter]).fetchone()[0]
                    rebuilt[(table, quarter)] = present > 0
                    if not present:
                        conn.execute(f"insert into {table} select * from {out} where {key} = ?", [quarter])
            conn.execute("drop schema taken cascade")
        return rebuilt

    def table_hashes(self, tables) -> dict[str, str]:
        with duckdb.connect(str(self.path), read_only=True) as conn:
            return {t: conn.execute(f"select md5(string_agg(cast(r as varchar), '|' order by cast(r as varchar))) "
                                    f"from {t} as r").fetchone()[0] for t in tables}


@pytest.fixture(scope="module")
def warehouse(scenario_run, tmp_path_factory) -> Warehouse:
    folder = tmp_path_factory.mktemp("incremental_quarters")
    shutil.copy(scenario_run.warehouse, folder / "reverse_qe.duckdb")
    return Warehouse(folder / "reverse_qe.duckdb", folder / "target")


@pytest.fixture(scope="module")
def weekday(warehouse):
    """A weekday's prices (the last day's again, 1% up, on the next Monday) and dbt over them and
    the 13F models."""
    with duckdb.connect(str(warehouse.path)) as conn:
        for table in ("raw.stooq_daily_prices", "raw.coinbase_daily_candles"):
            conn.execute(f"insert into {table} select * replace (? as price_date, close * 1.01 as close) "
                         f"from {table} where price_date = (select max(price_date) from {table})", [WEEKDAY])
    chain_tables = sorted(HOLDINGS | CHAIN)
    before = warehouse.table_hashes([*chain_tables, "intermediate.int_prices__liquidity"])
    warehouse.keys_seen["pipeline"] = warehouse.keys_tested()
    warehouse.prints_seen["pipeline"] = warehouse.quarterly_prints()
    # The chain's rows only: its fingerprint reads the holdings' positions, so taking theirs out would
    # itself change the chain's inputs (and the chain would rebuild those quarters, empty). That the
    # holdings models rebuild nothing shows in their quarters' keys_tested marks, which a rebuild clears.
    warehouse.take_out({C: [EARLIER, LATEST]})
    # the holdings models run too, as the weekday's transform runs every model: they find nothing to rebuild
    warehouse.dbt_run([*PRICES, *FROM_13F_AND_MAP])
    warehouse.keys_seen["weekday"] = warehouse.keys_tested()
    rebuilt = warehouse.back_again()
    warehouse.prints_seen["weekday"] = warehouse.quarterly_prints()
    after = warehouse.table_hashes([*chain_tables, "intermediate.int_prices__liquidity"])
    return before, after, rebuilt


def test_the_quarterly_models_are_the_holdings_and_chain_models_keyed_by_quarter(warehouse, weekday):
    assert warehouse.quarterly_models() == QUARTERLY


def test_a_weekday_leaves_every_quarter_of_the_chain_as_it_was(weekday):
    before, after, rebuilt = weekday
    assert after["intermediate.int_prices__liquidity"] != before["intermediate.int_prices__liquidity"]  # new prices
    assert {table for table, _ in rebuilt} == CHAIN  # every chain table had rows in both quarters
    # the chain models ran (prices feed them) but rebuilt no quarter: neither an earlier one nor the latest
    assert not any(rebuilt.values()), sorted(key for key, again in rebuilt.items() if again)
    assert {t: h for t, h in after.items() if t in HOLDINGS | CHAIN} == {t: h for t, h in before.items() if t in HOLDINGS | CHAIN}


@pytest.fixture(scope="module")
def amended_and_mapped(warehouse, weekday):
    """After the weekday: a funder restates its AMENDED report in November 2026, every position
    halved, and OpenFIGI now names a CUSIP held in one other quarter only (``mapped``) a bitcoin trust,
    so the security map's rule name_bitcoin puts it in crypto_proxy; one dbt run over both."""
    with duckdb.connect(str(warehouse.path)) as conn:
        base, cik = conn.execute(
            "select accession_number, cik from intermediate.int_holdings__effective_filings "
            "where period_of_report = ? and filing_role = 'base' and cik between 9100000001 and 9100000004 "
            "order by cik limit 1", [AMENDED]).fetchone()
        held_before = conn.execute("select sum(value_usd) from intermediate.int_holdings__positions "
                                   "where cik = ? and period_of_report = ?", [cik, AMENDED]).fetchone()[0]
        amendment = "0009100000-26-000001"
        conn.execute("insert into raw.sec13f_submissions select * replace (? as accession_number, "
                     "date '2026-11-25' as filing_date, '13F-HR/A' as submission_type) "
                     "from raw.sec13f_submissions where accession_number = ?", [amendment, base])
        conn.execute("insert into raw.sec13f_coverpages select * replace (? as accession_number, true as is_amendment, "
                     "1 as amendment_no, 'RESTATEMENT' as amendment_type) "
                     "from raw.sec13f_coverpages where accession_number = ?", [amendment, base])
        conn.execute("insert into raw.sec13f_infotable select * replace (? as accession_number, value // 2 as value, "
                     "sshprnamt // 2 as sshprnamt) from raw.sec13f_infotable where accession_number = ?",
                     [amendment, base])
        conn.execute("insert into raw.sec13f_summarypages select * replace (? as accession_number, "
                     "(select count(*) from raw.sec13f_infotable where accession_number = ?) as table_entry_total, "
                     "(select sum(value) from raw.sec13f_infotable where accession_number = ?) as table_value_total) "
                     "from raw.sec13f_summarypages where accession_number = ?", [amendment, amendment, amendment, base])

        # the earliest CUSIP in 'other' held in a single quarter, none of the amendment's
        cusip, mapped = conn.execute("""
            select p.cusip, min(p.period_of_report)
            from intermediate.int_holdings__positions as p
            join intermediate.int_securities__asset_groups as g using (cusip)
            where g.asset_group = 'other' and p.holding_bn > 0
            group by p.cusip
            having count(distinct p.period_of_report) = 1 and min(p.period_of_report) not in (?, ?, ?)
            order by 2, 1 limit 1""", [AMENDED, NEXT, UNRELATED]).fetchone()
        # its row replaced (the raw table is keyed by CUSIP): as when a CUSIP not asked before is answered
        conn.execute("delete from raw.openfigi_mappings where cusip = ?", [cusip])
        conn.execute("insert into raw.openfigi_mappings (cusip, status, figi, figi_name, market_sector, security_type, "
                     "fetched_at, fetched_on, source_mode) values (?, 'found', 'BBGTEST00001', 'SYNTHETIC BITCOIN TRUST', "
                     "'Equity', 'ETP', timestamp '2026-11-23 06:00', date '2026-11-23', 'scenario')", [cusip])

    # holdings models lose the amendment's quarters and an unrelated one; the chain's, the mapped quarter too
    warehouse.take_out({H: [AMENDED, NEXT, UNRELATED], C: [AMENDED, NEXT, UNRELATED, mapped]})
    warehouse.dbt_run(FROM_13F_AND_MAP)
    warehouse.keys_seen["amended"] = warehouse.keys_tested()
    rebuilt = warehouse.back_again()
    warehouse.prints_seen["amended"] = warehouse.quarterly_prints()
    with duckdb.connect(str(warehouse.path), read_only=True) as conn:
        held_after = conn.execute("select sum(value_usd) from intermediate.int_holdings__positions "
                                  "where cik = ? and period_of_report = ?", [cik, AMENDED]).fetchone()[0]
        chain_group = conn.execute("select asset_group, spec_weight from intermediate.int_chain__exposures "
                                   "where quarter_end = ? and cusip = ?", [mapped, cusip]).fetchall()
    return rebuilt, mapped, held_before, held_after, chain_group


def test_a_late_amendment_rebuilds_its_quarter_and_the_next(amended_and_mapped):
    rebuilt, _, held_before, held_after, _ = amended_and_mapped
    holdings = {key: again for key, again in rebuilt.items() if key[0] in HOLDINGS}
    assert {quarter for (_, quarter), again in holdings.items() if again} == {AMENDED, NEXT}
    assert all(again for (_, quarter), again in holdings.items() if quarter in (AMENDED, NEXT)), holdings
    assert held_after == pytest.approx(held_before / 2, rel=1e-3)  # the restatement replaced the report


def test_a_cusip_newly_mapped_rebuilds_the_chain_quarters_that_hold_it_and_those_only(amended_and_mapped):
    rebuilt, mapped, *_, chain_group = amended_and_mapped
    chain = {key: again for key, again in rebuilt.items() if key[0] in CHAIN}
    assert {quarter for (_, quarter), again in chain.items() if again} == {AMENDED, NEXT, mapped}
    assert all(again for (_, quarter), again in chain.items() if quarter in (AMENDED, NEXT, mapped)), chain
    assert chain_group and all(group == ("crypto_proxy", 1.0) for group in chain_group)  # the new map reached it


# the quarterly models whose unique_key test holds their quarter column (int_holdings__effective_filings'
# key is the accession number alone: a duplicate could span two quarters, so its test reads every row)
KEYS_TESTED = {"int_holdings__reference_prices", "int_holdings__positions", "int_holdings__option_positions",
               "int_holdings__implied_flows", "int_chain__exposures", "int_chain__shocks", "int_chain__rounds",
               "int_chain__scenario_outcomes", "fct_chain_asset_vulnerability", "fct_chain_holder_systemicness"}


def test_the_pipelines_build_marks_every_quarter_tested_and_a_rebuild_unmarks_only_its_own(
        warehouse, amended_and_mapped):
    seen = warehouse.keys_seen
    # after the pipeline's dbt build, whose unique_key tests all passed
    assert {model for (model, _), tested in seen["pipeline"].items() if tested} == KEYS_TESTED
    assert all(tested for (model, _), tested in seen["pipeline"].items() if model in KEYS_TESTED)
    # dbt run runs no test: a weekday rebuilding no quarter, of the holdings or the chain, keeps every mark
    assert seen["weekday"] == seen["pipeline"]
    _, mapped, *_ = amended_and_mapped
    # the quarters the amendment and the new mapping rebuilt (the two tests above) lose their mark,
    # and in the chain UNRELATED too: its positions were taken out, which changed the chain's inputs
    # there, so the chain rebuilt it (empty; the rows put back are the old ones)
    untested = {(model, quarter) for (model, quarter), tested in seen["amended"].items()
                if not tested and model in KEYS_TESTED}
    assert untested == {(model, quarter) for model in KEYS_TESTED
                        for quarter in ({AMENDED, NEXT} if model.startswith("int_holdings")
                                        else {AMENDED, NEXT, mapped, UNRELATED})}


def test_the_publish_sees_a_quarterly_table_change_when_dbt_writes_a_quarter_of_it_and_only_then(
        warehouse, amended_and_mapped):
    # the publish's fingerprint of a quarterly table is its build record: a weekday rebuilding no
    # quarter leaves every one as it was, so the publish copies none of these tables
    seen = warehouse.prints_seen
    assert len(seen["pipeline"]) == len(QUARTERLY)
    assert seen["weekday"] == seen["pipeline"]
    # the amendment rebuilt AMENDED and NEXT in every holdings model and, through them, in the chain
    assert {t for t in QUARTERLY if seen["amended"][t] != seen["weekday"][t]} == set(QUARTERLY)


def largest_difference(conn, table: str, other: str) -> float:
    """The largest relative difference between two tables' doubles, rows paired in the same order
    (by every other column, then the doubles to 9 significant digits, so two rows differing in the
    last bits of a sum sort alike); inf where any other value, or the row count, differs. A decimal
    may differ by one unit of its last place: the marts round a double to 6 places
    (macros/units.sql), and a last-bit difference can tip that rounding. Computed in DuckDB: the
    chain's rounds are ~600,000 rows."""
    columns = conn.execute(f"select column_name, column_type from (describe {table})").fetchall()
    doubles = [f'"{name}"' for name, kind in columns if kind in ("DOUBLE", "FLOAT")]
    decimals = {f'"{name}"': int(kind.split(",")[1].rstrip(")")) for name, kind in columns if kind.startswith("DECIMAL")}
    exact = [f'"{name}"' for name, kind in columns if f'"{name}"' not in doubles and f'"{name}"' not in decimals]
    rounded = [f"case when {c} = 0 or not isfinite({c}) then {c} else round({c}, 8 - cast(floor(log10(abs({c}))) as integer)) end"
               for c in doubles]
    order = ", ".join([*exact, *(f"round({c}, {scale - 1})" for c, scale in decimals.items()), *rounded]) or "1"
    mismatches = " or ".join([*(f"a.{c} is distinct from b.{c}" for c in exact),
                              *(f"abs(a.{c} - b.{c}) > {10.0 ** -scale!r}" for c, scale in decimals.items()),
                              *(f"(a.{c} is null) <> (b.{c} is null) or isnan(a.{c}) <> isnan(b.{c})" for c in doubles)]) or "false"
    gaps = ", ".join(f"max(case when isfinite(a.{c}) and isfinite(b.{c}) then abs(a.{c} - b.{c}) / greatest(abs(a.{c}), abs(b.{c}), 1e-300) "
                     f"when a.{c} is distinct from b.{c} then 'inf'::double else 0 end)" for c in doubles) or "0"
    bad, *gap = conn.execute(f"""
        with a as (select *, row_number() over (order by {order}) as rn_ from {table}),
             b as (select *, row_number() over (order by {order}) as rn_ from {other})
        select count(*) filter (where a.rn_ is null or b.rn_ is null or {mismatches}), {gaps}
        from a full join b on a.rn_ = b.rn_""").fetchone()
    return math.inf if bad else max((g or 0.0) for g in gap)


def test_the_result_equals_a_full_rebuild(warehouse, amended_and_mapped):
    # the whole tables downstream of the quarterly ones (the chain's percentile, the map's coverage)
    # were built while rows were taken out: build them again, then keep this incremental result
    warehouse.dbt_run([*PRICES, *FROM_13F_AND_MAP], "--exclude", "config.incremental_strategy:quarters")
    incremental = warehouse.path.with_name("incremental.duckdb")
    shutil.copy(warehouse.path, incremental)
    warehouse.dbt_run([*PRICES, *FROM_13F_AND_MAP], "--full-refresh")
    # a full refresh builds every quarter afresh: none is tested until a test passes on it
    assert not any(warehouse.keys_tested().values())
    warehouse.prints_seen["full refresh"] = warehouse.quarterly_prints()

    with duckdb.connect(str(warehouse.path), read_only=True) as conn:
        conn.execute(f"attach '{incremental}' as incremental (read_only)")
        tables = [f"{schema}.{table}" for schema, table in conn.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name in ('intermediate', 'marts') order by all").fetchall()]
        assert set(QUARTERLY) <= set(tables)
        differ = {}
        for table in tables:
            exact = conn.execute(f"select (select count(*) from {table}) = (select count(*) from incremental.{table}) "
                                 f"and not exists (select * from {table} except all select * from incremental.{table})"
                                 ).fetchone()[0]
            if not exact:
                differ[table] = largest_difference(conn, table, f"incremental.{table}")
    assert all(gap <= 1e-12 for gap in differ.values()), differ
    # the full refresh wrote every quarter again, and its doubles may differ in the last bits
    # (``differ``): the publish copies every quarterly table
    after = warehouse.prints_seen["full refresh"]
    assert {t for t in QUARTERLY if after[t] != warehouse.prints_seen["amended"][t]} == set(QUARTERLY)
