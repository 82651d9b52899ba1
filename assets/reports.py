"""Report assets: the explanation of a mart, downstream of it in lineage (plots and a summary as
metadata, PNG files under ``<warehouse dir>/reports/``). Wiring only: reading, markdown and plots
are ``reverse_qe.reports``. A report never fails the marts it explains: it runs after them, in the
warehouse pool, through the warehouse resource (and so its memory limit).
"""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetObservation,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from assets.publish import MART_KEYS, published_warehouse
from assets.raw import WAREHOUSE_POOL
from reverse_qe.replace_file import replace_file
from reverse_qe.settings import duckdb_memory_limit, published_path

ABSORPTION_MART = AssetKey(["marts", "fct_capex_absorption"])
CHAIN_MARTS = [AssetKey(["marts", name]) for name in (
    "fct_forced_selling_chain", "fct_chain_asset_vulnerability", "fct_chain_holder_systemicness")]
REPORTS_FOLDER = "reports"  # beside the warehouse file
PLOT_CACHE_FOLDER = ".plots"  # in it: each report's plots by the hash of their inputs (reverse_qe.reports.png)


def plot_cache(warehouse: DuckDBResource, report: str):
    """Reuse the plots this report drew for the same rows in its previous build."""
    from reverse_qe.reports.png import plots_cached_in

    return plots_cached_in(Path(warehouse.database).parent / REPORTS_FOLDER / PLOT_CACHE_FOLDER / report)


def write_plots(warehouse: DuckDBResource, plots: dict[str, bytes]) -> list[str]:
    folder = Path(warehouse.database).parent / REPORTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in plots.items():
        (folder / name).write_bytes(content)
    return sorted(str(folder / name) for name in plots)


@asset(key=AssetKey(["reports", "capex_absorption"]), deps=[ABSORPTION_MART], group_name="reports",
       kinds={"python"}, owners=["team:analytics"], pool=WAREHOUSE_POOL,
       description="The capex-absorption score explained: its plot over time with the regimes, and the "
       "latest week's components (the row the score is computed from).")
def capex_absorption_report(context: AssetExecutionContext, warehouse: DuckDBResource) -> MaterializeResult:
    from reverse_qe.reports import absorption

    with warehouse.get_connection() as conn:
        rows = absorption.read_rows(conn)
    with plot_cache(warehouse, "capex_absorption"):
        png = absorption.score_plot_png(rows)
    return MaterializeResult(metadata={
        "score_plot": MetadataValue.md(absorption.plot_markdown(png)),
        "latest_components": MetadataValue.md(absorption.latest_components_markdown(rows)),
        "plot_files": MetadataValue.json(write_plots(warehouse, {"capex_absorption.png": png})),
    })


@asset(key=AssetKey(["reports", "forced_selling_chain"]), deps=CHAIN_MARTS, group_name="reports",
       kinds={"python"}, owners=["team:analytics"], pool=WAREHOUSE_POOL,
       description="What drove the forced-selling chain in the latest quarter: which funders started it, "
       "which assets fell most, which holders amplified it; amplification over time.")
def forced_selling_chain_report(context: AssetExecutionContext, warehouse: DuckDBResource) -> MaterializeResult:
    from reverse_qe.reports import chain
    from reverse_qe.reports.png import embed_png

    with warehouse.get_connection() as conn:
        frames = chain.read_chain_frames(conn)
    if frames is None:
        context.log.warning("marts.fct_forced_selling_chain is empty: nothing to explain yet")
        return MaterializeResult(metadata={"chain_summary": MetadataValue.md("No quarter in the chain mart yet.")})
    with plot_cache(warehouse, "forced_selling_chain"):
        plots = chain.chain_plots_png(frames)
    return MaterializeResult(metadata={
        "chain_summary": MetadataValue.md(chain.chain_summary_markdown(frames)),
        "chain_plots": MetadataValue.md("\n\n".join(embed_png(name, png) for name, png in plots.items())),
        "chain_plot_files": MetadataValue.json(write_plots(warehouse, plots)),
    })


PAGE_NAME = "index.html"


def write_page(folder: Path, page: str) -> Path:
    """``<folder>/index.html``, replaced in one step (reverse_qe.replace_file)."""
    folder.mkdir(parents=True, exist_ok=True)
    return replace_file(folder / PAGE_NAME, page)


def observe_marts(context: AssetExecutionContext, data) -> None:
    """An observation on each mart asset with its numbers in the publication (``mart_metrics``).

    Not on the dbt materialisations: dagster-dbt's ``fetch_row_counts()`` counts through a dbt
    adapter it opens in the run's process, and with DuckDB that adapter keeps the warehouse open
    read-only there, so the next step of an in-process run (``make demo``) could no longer open it
    ("different configuration than existing connections"); here the numbers come from the
    published copy this step reads anyway, in the warehouse pool."""
    from reverse_qe.reports.mart_metrics import mart_metrics

    known = {key.path[-1]: key for key in MART_KEYS}
    for name, metrics in mart_metrics(data).items():
        if name in known:
            context.log_event(AssetObservation(asset_key=known[name], metadata=metrics,
                                               description="in the publication of this run"))


@asset(key=AssetKey(["reports", "page"]), deps=[*MART_KEYS, published_warehouse.key], group_name="reports",
       kinds={"python", "html"}, owners=["team:analytics"], pool=WAREHOUSE_POOL,
       description="reports/index.html beside the warehouse, written on every publication from the published "
       "copy: one self-contained page (PNG plots inlined, no external address) with a section and a plot for "
       "every mart, the status summary and the publication's facts. Opens from disk, offline. Records on each "
       "mart an observation with its row count and, for the bathtub and the absorption score, the latest "
       "week's headline numbers (the UI's plots tab graphs them).")
def report_page(context: AssetExecutionContext, warehouse: DuckDBResource) -> MaterializeResult:
    import duckdb

    from reverse_qe.reports import page

    published = published_path(Path(warehouse.database))
    with duckdb.connect(str(published), read_only=True, config={"memory_limit": duckdb_memory_limit()}) as conn:
        data = page.read_page_data(conn)
    observe_marts(context, data)
    with plot_cache(warehouse, "page") as plots:
        html = plots.build(page.build_page, data)  # the plots not kept from the last build drawn on two cores
        path = write_page(Path(warehouse.database).parent / REPORTS_FOLDER, html)
    context.log.info(f"report page {path}: {len(data.marts)} marts, {html.count('<img ')} plots "
                     f"({plots.drawn} drawn, {plots.reused} as drawn before from the same rows)")
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(path)), "marts": len(data.marts), "plots": html.count("<img "),
        "plots_drawn": plots.drawn, "bytes": len(html.encode()),
    })


report_assets = [capex_absorption_report, forced_selling_chain_report, report_page]
