"""dbt's ANSI colours only on a terminal, and never with NO_COLOR."""

import io
import os

from reverse_qe.settings import dbt_colour_env


def test_not_a_terminal_turns_dbt_colours_off():
    assert dbt_colour_env(io.StringIO(), {}) == {"DBT_USE_COLORS": "false"}
    assert dbt_colour_env(object(), {}) == {"DBT_USE_COLORS": "false"}  # a stream without isatty


def test_a_real_terminal_keeps_them_unless_no_color_says_otherwise():
    leader, follower = os.openpty()
    with os.fdopen(follower, "w") as terminal:
        assert terminal.isatty()
        assert dbt_colour_env(terminal, {}) == {}
        assert dbt_colour_env(terminal, {"NO_COLOR": "1"}) == {"DBT_USE_COLORS": "false"}
        assert dbt_colour_env(terminal, {"NO_COLOR": ""}) == {}  # no-color.org: set and not empty
    os.close(leader)


def test_the_users_own_choice_wins():
    assert dbt_colour_env(io.StringIO(), {"DBT_USE_COLORS": "true"}) == {}
