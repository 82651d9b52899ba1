"""Dagster wiring for the raw layer: one module per source family. Parsing lives in assets.sources."""
