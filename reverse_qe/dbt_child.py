#!/usr/bin/env python3
"""dbt that dies with the process that started it: the ``dbt_executable`` of the Dagster dbt resource.

A run killed with SIGKILL (an OOM, ``kill -9``, a closed laptop) cannot stop its children, and a dbt
left running keeps DuckDB's lock on the warehouse, so every later run waited on it. On Linux this
asks the kernel for SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``, kept across ``exec``),
then becomes dbt (same PID): dbt's command-line entry point in the interpreter ``RQE_DBT_PYTHON`` names
(``assets.resources`` sets it to the one running Dagster), else of this one. Running dbt as a module
of that interpreter, not through the ``bin/dbt`` script, also survives a virtualenv moved or shared
between clones (the script's first line names the interpreter of the clone that created it). On
other systems it only execs dbt. Standard library only, so any Python 3 runs it.
"""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# What the bin/dbt script runs (``-m dbt.cli.main`` would warn that the module was imported twice),
# ended by ``reverse_qe.process_exit``: dbt's atexit handlers still close its DuckDB connection; the
# ~1 s of teardown after them is skipped. process_exit is loaded from its file, not by putting this
# folder on the path: dbt imports, as plugins, every top-level module named dbt_* it can find, and
# this folder holds two (dbt_child and dbt_parse, which imports the reverse_qe package).
DBT_MAIN = ("import importlib.util, sys; "
            "spec = importlib.util.spec_from_file_location('process_exit', {path!r}); "
            "process_exit = importlib.util.module_from_spec(spec); spec.loader.exec_module(process_exit); "
            "from dbt.cli.main import cli; sys.argv[0] = 'dbt'; process_exit.run_then_exit(cli)")


def die_with_parent() -> None:
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent died before the request took effect
        sys.exit("dbt_child: the process that started dbt is gone; not starting dbt")


def main(argv: list[str]) -> None:
    python = os.environ.get("RQE_DBT_PYTHON") or sys.executable
    if sys.platform.startswith("linux"):
        die_with_parent()
    main_code = DBT_MAIN.format(path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "process_exit.py"))
    os.execv(python, [python, "-c", main_code, *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
