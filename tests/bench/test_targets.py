"""What `make bench` prints beside its rows: each target's verdict, the daily run over the floor."""

import pytest

from bench import targets
from bench.targets import Row, Target, judged


def test_a_measure_at_its_limit_meets_it_and_one_above_does_not():
    daily = Target(15.0, "<= 15 s")
    assert daily.verdict(14.9) == "met"
    assert daily.verdict(15.0) == "met"
    assert daily.verdict(15.01) == "NOT MET"


def test_the_daily_run_is_judged_in_units_of_the_same_runs_floor():
    assert targets.floor_ratio(18.0, 12.0) == pytest.approx(1.5)
    assert targets.DAILY_OVER_FLOOR.verdict(targets.floor_ratio(18.0, 12.0)) == "NOT MET"
    assert targets.DAILY_OVER_FLOOR.verdict(targets.floor_ratio(15.0, 12.0)) == "met"
    with pytest.raises(ValueError, match="fixed floor"):
        targets.floor_ratio(18.0, 0.0)


def test_issue_19s_targets_are_the_ones_printed():
    assert (targets.DAILY_RUN.limit, targets.DAILY_OVER_FLOOR.limit, targets.DEMO_SCALE_1.limit) == (15, 1.25, 45)
    assert (targets.QUARTER_S.limit, targets.QUARTER_MIB.limit, targets.SUITE_S.limit) == (20, 2048, 300)


def test_a_row_without_a_target_has_no_verdict_and_one_with_a_target_has_both():
    assert judged("x (s)", 3.14159, ".1f", "note", None) == Row("x (s)", "3.1", "note")
    assert judged("daily (s)", 29.0, ".1f", "note", targets.DAILY_RUN) == Row("daily (s)", "29.0", "note",
                                                                             "<= 15 s", "NOT MET")


def test_the_table_puts_target_and_verdict_in_their_own_columns():
    printed = targets.table([Row("daily incremental run, scale 1 (s)", "12.0", "a note", "<= 15 s", "met"),
                             Row("set-up (s)", "20.5", "no target")], "(median of 3)").splitlines()
    header, judged_row, plain = printed
    assert header.split()[:4] == ["measure", "median", "target", "verdict"] and header.endswith("(median of 3)")
    column = header.index("target")
    assert judged_row[column:].split("  ")[0] == "<= 15 s"
    assert judged_row[header.index("verdict"):].startswith("met")
    assert plain[column:].strip() == "no target"
    assert len({line.index(note) for line, note in ((judged_row, "a note"), (plain, "no target"))}) == 1


def test_the_daily_rows_judge_the_run_and_its_ratio_or_say_the_floor_was_not_measured():
    run, ratio = targets.daily_rows(4, 18.0, 12.0, "how")
    assert (run.measure, run.median, run.target, run.verdict) == ("daily incremental run, scale 4 (s)", "18.0",
                                                                 "<= 15 s", "NOT MET")
    assert (ratio.median, ratio.target, ratio.verdict) == ("1.50", "<= 1.25", "NOT MET")
    assert "18.0 s over the fixed cost 12.0 s" in ratio.note
    run, ratio = targets.daily_rows(1, 14.0, None, "how")
    assert run.verdict == "met" and (ratio.median, ratio.verdict) == ("-", "not measured")
    printed = targets.table([run, ratio], "").splitlines()
    assert printed[1].index("how") == printed[2].index("not measured: the ratio")  # notes stay aligned
