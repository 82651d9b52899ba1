"""Dagster wiring for the raw layer: one module per source family. Parsing lives in reverse_qe.sources."""
