"""The world layer: anchors + seed -> every series of the SYNTHETIC scenario, as numbers (no file formats)."""
