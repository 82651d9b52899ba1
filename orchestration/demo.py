"""``make demo``: run every asset and check once, offline by default, and summarise the marts."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb
from dagster import DagsterInstance

from orchestration.settings import DBT_PROJECT_DIR, SourceSettings, warehouse_path

MART_SCHEMA = "marts"
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def summarise(warehouse: str) -> str:
    """Rows per mart and the latest bathtub row, read from the warehouse (read-only)."""
    lines = []
    with duckdb.connect(warehouse, read_only=True) as conn:
        marts = conn.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [MART_SCHEMA]
        ).fetchall()
        lines.append("Marts:")
        for (name,) in marts:
            count = conn.execute(f'select count(*) from "{MART_SCHEMA}"."{name}"').fetchone()[0]
            lines.append(f"  {MART_SCHEMA}.{name:<32} {count:>8,} rows")
        latest = conn.execute(
            "select week_ending, net_liquidity_bn, idle_pool_bn, on_rrp_bn, tga_bn, is_synthetic "
            "from marts.fct_liquidity_bathtub order by week_ending desc limit 1"
        ).fetchone()
        chain = conn.execute(
            "select quarter_end, amplification, chain_score_pct, total_forced_sales_bn "
            "from marts.fct_forced_selling_chain order by quarter_end desc limit 1"
        ).fetchone() if any(name == "fct_forced_selling_chain" for (name,) in marts) else None
    if chain:
        quarter, amplification, score, sales = chain
        lines.append(
            f"Latest chain quarter {quarter}: amplification {amplification:.3f} (score {score:.0f}th "
            f"percentile), forced sales {sales:,.1f} bn"
        )
    if latest:
        week, net, idle, rrp, tga, synthetic = latest
        label = " (SYNTHETIC scenario)" if synthetic else ""
        lines.append(
            f"Latest week {week}{label}: net liquidity {net:,.1f} bn, idle pool {idle:,.1f} bn "
            f"(ON RRP {rrp:,.1f} bn), TGA {tga:,.1f} bn"
        )
    return "\n".join(lines)


def dbt_failures(target_dir: Path = DBT_PROJECT_DIR / "target") -> list[str]:
    """Failing nodes of the newest dbt invocation, with dbt's own message, for the console."""
    results = sorted(target_dir.glob("*/run_results.json"), key=lambda p: p.stat().st_mtime)
    if not results:
        return []
    found = json.loads(results[-1].read_text())["results"]
    return [
        f"{r['unique_id']}: {r['status']}: {(r.get('message') or '').strip()[:500]}"
        for r in found
        if r["status"] in ("error", "fail")
    ]


def main() -> int:
    settings = SourceSettings.from_env()
    warehouse = warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    print(f"Reverse-QE Monitor: sources={settings.mode}, warehouse={warehouse}", flush=True)

    from orchestration.definitions import defs  # after the env is resolved

    started = time.perf_counter()
    with DagsterInstance.get() as instance:
        result = defs.get_job_def("everything").execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET_LOGS
        )
    elapsed = time.perf_counter() - started
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        print(f"FAILED after {elapsed:.0f}s in steps {failed}; see the run {result.run_id} in `make dev`.", file=sys.stderr)
        for line in dbt_failures() if "reverse_qe_dbt_assets" in failed else []:
            print(f"  dbt {line}", file=sys.stderr)
        return 1
    print(f"\nAll assets materialised and all checks passed in {elapsed:.0f}s (run {result.run_id}).")
    print(summarise(str(warehouse)))
    print(f"\nWarehouse: {warehouse}\nOpen the UI with `make dev` (http://127.0.0.1:3000) to see lineage and checks.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
