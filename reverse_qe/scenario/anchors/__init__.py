"""The anchor layer: hand-set (date, value) tables and dates per family, plain data with the real history each follows."""
