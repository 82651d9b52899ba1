"""Pure source code: transports, one loader module per family, one parser per published format.

Nothing in this package imports Dagster or opens the warehouse.
"""

# The publishers' folders of a replay directory (and of the landing zone), one per source. A source
# whose folder is absent, or that RQE_SOURCES leaves out, is not provided: its tables stay empty,
# the models that need it give null components with a reason, and the run still publishes.
SOURCES = ("fred", "fiscal_data", "nyfed", "treasurydirect", "sec", "sec_13f", "stooq", "coinbase", "sec_13f_list",
           "openfigi")
