"""Reports that explain a mart: per mart, read its rows, write markdown, draw plots. No Dagster."""
