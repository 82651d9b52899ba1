"""End a finished command-line process without Python's teardown.

After its last line, a process that has imported Dagster, dbt, pandas, DuckDB and Great Expectations
still spends up to two seconds in the interpreter's finalisation, freeing every module and object one by one
for a memory the kernel takes back at once: 0.8 s after only importing the code location, ~1.9 s
after a scale-16 weekday's jobs (``python -m bench.weekday``'s "interpreter start and exit", 2.49 s
before, 0.54 s with this).
Nothing a run leaves depends on it: the atexit handlers still run (logging's flush and close among
them), stdout and stderr are flushed, every warehouse connection is closed by its ``with`` block
before this. Standard library only: ``reverse_qe.dbt_child`` ends dbt's process with it too.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


def exit_code(code: object) -> int:
    """What ``sys.exit(code)`` would exit with: None is 0, an int itself, anything else is printed
    to stderr and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def exit_without_teardown(code: object = 0, last=None) -> NoReturn:
    """``sys.exit(code)``, less the interpreter's finalisation: as Python's exit, it waits for the
    threads that are not daemons, then runs the atexit handlers. ``last(status)``, when given, is
    called once everything is flushed and closed, just before the process ends."""
    for thread in threading.enumerate():
        if not thread.daemon and thread not in (threading.main_thread(), threading.current_thread()):
            thread.join()
    status = exit_code(code)
    atexit._run_exitfuncs()  # what Python's exit runs next; the teardown it then does is skipped
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing left to flush
            pass
    if last is not None:
        last(status)
    os._exit(status)


def run_then_exit(main, last=None) -> NoReturn:
    """``sys.exit(main())`` for a command's ``__main__``, with :func:`exit_without_teardown` (and
    its ``last``); an exception propagates as it would (traceback, status 1), ``SystemExit`` keeps its code."""
    try:
        code = main()
    except SystemExit as stop:
        code = stop.code
    exit_without_teardown(code, last)
