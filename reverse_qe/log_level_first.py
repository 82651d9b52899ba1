"""dbt's log lines below their logger's level are not built, only to be dropped; nor are the
messages of events no logger keeps.

dbt fires an event for each SQL statement it sends (``SQLQuery``, ``SQLQueryStatus``: debug
level), and each of its loggers (the console's JSON lines that dagster-dbt reads, ``logs/dbt.log``)
formats every event into a line, the statement included, before handing the line to a Python
logger whose level then drops it. Here a logger first asks its Python logger whether the event's
level passes, as that logger would, and builds the line only if it does: what is written is the
same, line for line (``tests/reverse_qe/test_log_level_first.py``).

Before any logger sees an event, dbt's event manager builds its message (a second protobuf, the
event's text, a timestamp: ``msg_from_base_event``), ~7% of a full build's samples under
``py-spy``. Where no logger's level lets the event through and no one else listens (dbt's own
usage-tracking callback listens for one warning only), the manager now stops before building it.
Warnings and errors, print events, and any run with ``--debug`` or a logger at debug go the way
they always went. An event also parses its fields into its protobuf (``ParseDict``) only when
something first reads it, so an event dropped that way is never parsed at all (dbt fires three
per SQL statement). What each change saves: docs/design_notes.md and docs/performance_log.md.

Installed by ``reverse_qe.dbt_child`` in the dbt process it starts (cold or warm), from its file,
before dbt's import: standard library and dbt only.
"""

from __future__ import annotations

import threading


def install() -> None:
    """Replace ``_Logger.write_line`` of dbt's event loggers with one that checks the level first,
    and ``EventManager.fire_event`` with one that drops an event no logger or callback takes."""
    from dbt_common.events import base_types
    from dbt_common.events import logger as dbt_logger
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager

    write_line = dbt_logger._Logger.write_line
    if getattr(write_line, "checks_level_first", False):
        return
    fire_event = EventManager.fire_event
    passes_warnings = {EventLevel.WARN, EventLevel.ERROR}  # warn-error handling reads their messages

    def no_one_takes(manager, event, level) -> bool:
        if any(not _tracks_behaviour_changes_only(callback) or type(event).__name__ == "BehaviorChangeEvent"
               for callback in manager.callbacks):
            return False
        try:
            event_level = level or event.level_tag()
            python_level = dbt_logger._log_level_map[event_level]
        except Exception:  # a dynamic-level event fired without a level, an unknown level: dbt's way
            return False
        if event_level in passes_warnings or type(event).__name__ in dbt_logger.PRINT_EVENT_NAMES:
            return False
        return all(isinstance(logger, dbt_logger._Logger)
                   and (logger._python_logger is None or not logger._python_logger.isEnabledFor(python_level))
                   for logger in manager.loggers)

    def fire_event_someone_takes(self, e, level=None, node=None, force_warn_or_error_handling=False) -> None:
        if force_warn_or_error_handling or not no_one_takes(self, e, level):
            fire_event(self, e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    EventManager.fire_event = fire_event_someone_takes
    _parse_events_when_read(base_types.BaseEvent)

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


def _tracks_behaviour_changes_only(callback) -> bool:
    """dbt's usage-tracking callback, which acts on ``BehaviorChangeEvent`` alone."""
    return getattr(callback, "__module__", None) == "dbt.tracking" and \
        getattr(callback, "__name__", None) == "track_behavior_change_warn"


def _parse_events_when_read(event_class) -> None:
    """dbt's event constructor, run when the event's protobuf (``pb_msg``) or one of its fields is
    first read or set instead of when the event is made; the arguments wait in ``_unparsed``."""
    parse = event_class.__init__
    if getattr(parse, "parses_when_read", False):
        return

    def keep_arguments(self, *args, **kwargs) -> None:
        object.__setattr__(self, "_unparsed", (args, kwargs))

    # one parse per event even if two threads read it at once; reentrant, as a failed parse fires a
    # note of its own (dbt's fallback), which is parsed in turn
    parsing = threading.RLock()

    def parsed(self):
        if "_unparsed" in self.__dict__:
            with parsing:
                unparsed = self.__dict__.pop("_unparsed", None)
                if unparsed is not None:
                    parse(self, *unparsed[0], **unparsed[1])
        return object.__getattribute__(self, "pb_msg")

    def getattr_parsed(self, key):  # only for names not on the instance or its class
        if key in ("pb_msg", "_unparsed"):
            if key == "pb_msg" and "_unparsed" in self.__dict__:
                return parsed(self)
            raise AttributeError(key)
        return getattr(parsed(self), key)

    def setattr_parsed(self, key, value) -> None:
        if key == "pb_msg":
            object.__setattr__(self, key, value)
        else:
            setattr(parsed(self), key, value)

    keep_arguments.parses_when_read = True
    event_class.__init__ = keep_arguments
    event_class.__getattr__ = getattr_parsed
    event_class.__setattr__ = setattr_parsed
