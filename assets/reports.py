"""Metadata for the chain mart's materialization: the markdown summary and plots (wiring only).

Opened after dbt has finished (DuckDB locks the file per process), read-only; the logic is in
``reverse_qe.reports.chain``.
"""

from __future__ import annotations

from pathlib import Path

from dagster import MetadataValue

from reverse_qe.reports.chain import (
    chain_plots_png,
    chain_summary_markdown,
    embed_png,
    read_chain_frames,
)


def chain_report_metadata(warehouse: Path) -> dict:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        frames = read_chain_frames(conn)
    if frames is None:
        return {}
    summary = chain_summary_markdown(frames)
    plots = chain_plots_png(frames)
    folder = warehouse.parent / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in plots.items():
        (folder / name).write_bytes(content)
    images = "\n\n".join(embed_png(name, content) for name, content in plots.items())
    return {
        "chain_summary": MetadataValue.md(summary),
        "chain_plots": MetadataValue.md(images),
        "chain_plot_files": MetadataValue.json(sorted(str(folder / name) for name in plots)),
    }
