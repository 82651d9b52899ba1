"""Pure explainability code: summaries and plots built from mart rows (no Dagster imports)."""
