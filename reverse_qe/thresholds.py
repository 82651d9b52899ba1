"""The tolerances of the reconciliation and freshness checks, as plain numbers.

Apart from the maths (``reconciliations``) so the asset checks can quote them in their
descriptions when the code location loads, without importing pandas.
"""

# WTREGEN is the Fed's week average (Thursday..Wednesday) of the TGA; a week's average must lie
# between the lowest and highest daily close the Treasury published that week. 10 bn allows for
# the two ledgers booking some entries on different days; anything larger is a wrong row or unit.
TGA_WTREGEN_TOLERANCE_BN = 10.0
TGA_MIN_DTS_DAYS_PER_WEEK = 3  # compare only weeks the DTS covers well
# DTS net marketable issuance vs the monthly change in MSPD marketable debt held by the public:
# they differ by discount accretion, inflation compensation and timing of settlement, a few
# billion a month; 5 % of the issuance or 25 bn, whichever is larger.
DTS_MSPD_TOLERANCE_BN = 25.0
DTS_MSPD_TOLERANCE_SHARE = 0.05
# Calendar days the data's latest date may trail the run date before a source counts as stale.
# weekly_friday: a stress composite dated on the Friday its week ends is released the next Wednesday
# (NFCI) or Thursday (STLFSI4), so on a Wednesday morning the latest reading is 12 days old.
FRESHNESS_MAX_LAG_DAYS = {"daily": 5, "weekly": 10, "weekly_friday": 14, "monthly": 45, "quarterly": 140}
# A whole source document (a file, or an API that serves the whole document) that now yields fewer
# than this share of the rows it yielded the run before is reported (``every_document_still_yields_rows``).
# Real evidence, FRED CSVs of one series saved at different dates (the corpus of tests/real,
# tests/real/test_document_rows_real.py): later downloads grow (WALCL 985 -> 1,233 rows, RRPONTSYD
# 4,842 -> 6,126, SOFR 665 -> 2,173); FRED's cut of the ICE BofA series to three years is the real
# fall this is for: 0.16 of the rows (BAMLH0A0HYM2 4,986 -> 795) and 0.11 (BAMLC0A0CM 7,063 -> 795);
# a download from a custom later start (BAMLH0A0HYM2 from 2019, 1,323 rows) to the 3-year one is
# 0.60, a history window moving by two years, not a document gone wrong. Half lies between.
DOCUMENT_ROWS_FALL_SHARE = 0.5
