"""dbt's log lines below their logger's level are not built, only to be dropped.

dbt fires an event for each SQL statement it sends (``SQLQuery``, ``SQLQueryStatus``: debug
level), and each of its loggers (the console's JSON lines that dagster-dbt reads, ``logs/dbt.log``)
formats every event into a line, the statement included, before handing the line to a Python
logger whose level then drops it. Here a logger first asks its Python logger whether the event's
level passes, as that logger would, and builds the line only if it does: what is written is the
same, line for line (``tests/reverse_qe/test_log_level_first.py``). A full ``dbt build`` of the
scale-1 warehouse (380 nodes, JSON console, text file at info, as the pipeline runs dbt): 20.0 →
17.9 s, median of 3 alternating, idle (README, "Where it stands").

Installed by ``reverse_qe.dbt_child`` in the dbt process it starts (cold or warm), from its file,
before dbt's import: standard library and dbt only.
"""

from __future__ import annotations


def install() -> None:
    """Replace ``_Logger.write_line`` of dbt's event loggers with one that checks the level first."""
    from dbt_common.events import logger as dbt_logger
    from dbt_common.events.base_types import EventLevel

    write_line = dbt_logger._Logger.write_line
    if getattr(write_line, "checks_level_first", False):
        return

    def write_line_if_its_level_passes(self, msg) -> None:
        python_logger = self._python_logger
        if python_logger is None:  # dbt builds the line and writes it nowhere
            return
        try:  # the Python logging level dbt gives the event's level
            level = dbt_logger._log_level_map[EventLevel(msg.info.level)]
        except (ValueError, KeyError):  # an unknown level: dbt's own error
            level = None
        # a print event goes out as an error (dbt's own rule)
        if level is not None and not dbt_logger._is_print_event(msg) and not python_logger.isEnabledFor(level):
            return
        write_line(self, msg)

    write_line_if_its_level_passes.checks_level_first = True
    dbt_logger._Logger.write_line = write_line_if_its_level_passes
