"""Pure source code: transports, one parser per published format, and the bundled scenario.

Nothing in this package imports Dagster or opens the warehouse.
"""
