"""The writer layer: render a world model into each source's published file format (no modelling here)."""
