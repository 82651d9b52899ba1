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
