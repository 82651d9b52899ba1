"""The targets `make bench` prints beside its rows, and whether a measure meets its target. Pure.

Each target is written once here; ``bench/run.py`` measures, this module judges. A row's verdict is
"met" when the median is within its target, "NOT MET" when it is not; a row without a target has
none.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """An upper bound on a measure: ``limit`` in the row's unit; ``label`` as printed."""

    limit: float
    label: str

    def verdict(self, value: float) -> str:
        return "met" if value <= self.limit else "NOT MET"


# The daily run does the day's work only (issue 19): a weekday's run at every scale, and against
# the floor of any run measured in the same bench run (so a slow machine moves both).
DAILY_RUN = Target(15.0, "<= 15 s")
DAILY_OVER_FLOOR = Target(1.25, "<= 1.25")
DEMO_SCALE_1 = Target(45.0, "<= 45 s")
QUARTER_S = Target(20.0, "<= 20 s")  # one real-size 13F quarter, ingested and chained
QUARTER_MIB = Target(2048.0, "<= 2,048 MiB")  # 2 GiB, that quarter's peak memory
SUITE_S = Target(300.0, "<= 300 s")  # `make test` within 5 minutes
# Older targets the bench already printed in its notes
LOAD_OVER_FLOOR_S = Target(1.5, "floor + 1.5")  # code location load beyond `import dagster, dagster_dbt`
CHAIN_DBT_OVER_PANDAS = Target(1.0, "<= 1")  # from scale 4, where the chain is large enough to matter


def floor_ratio(daily_s: float, fixed_s: float) -> float:
    """A weekday's run in units of the fixed floor (a one-seed Dagster+dbt run) of the same bench run."""
    if fixed_s <= 0:
        raise ValueError(f"the fixed floor must be a positive number of seconds, not {fixed_s}")
    return daily_s / fixed_s


@dataclass(frozen=True)
class Row:
    """One printed row: what was measured, its median as printed, its target and verdict (blank
    without a target), and notes."""

    measure: str
    median: str
    note: str
    target: str = ""
    verdict: str = ""


def judged(measure: str, value: float, fmt: str, note: str, target: Target | None) -> Row:
    """The row of ``value`` (printed with ``fmt``), judged against ``target`` when there is one."""
    if target is None:
        return Row(measure, format(value, fmt), note)
    return Row(measure, format(value, fmt), note, target.label, target.verdict(value))


def daily_rows(scale: int, daily_s: float, fixed_s: float | None, how: str) -> list[Row]:
    """The daily run at ``scale`` against its target, then in units of the fixed floor of the same
    bench run (``fixed_s``; None when the bench run did not measure it, and the ratio says so)."""
    rows = [judged(f"daily incremental run, scale {scale} (s)", daily_s, ".1f", how, DAILY_RUN)]
    ratio = f"  daily run / fixed floor, scale {scale}"
    if fixed_s is None:
        rows.append(Row(ratio, "-", "not measured: the ratio needs the fixed part in the same bench run",
                        DAILY_OVER_FLOOR.label, "not measured"))
    else:
        rows.append(judged(ratio, floor_ratio(daily_s, fixed_s), ".2f",
                           f"{daily_s:.1f} s over the fixed cost {fixed_s:.1f} s of this bench run", DAILY_OVER_FLOOR))
    return rows


def table(rows: list[Row], heading: str) -> str:
    """The rows as aligned columns under one heading line."""
    width = max(len(r.measure) for r in rows)
    target_width = max([len("target"), *(len(r.target) for r in rows)])
    verdict_width = max([len("verdict"), *(len(r.verdict) for r in rows)])
    header = Row("measure", "median", f"notes   {heading}", "target", "verdict")
    return "\n".join(f"{r.measure:<{width}}  {r.median:>8}  {r.target:<{target_width}}  {r.verdict:<{verdict_width}}  "
                     f"{r.note}" for r in [header, *rows])
