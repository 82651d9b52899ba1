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

**A dbt started ahead.** dbt spends ~1.5 s importing itself before it reads its command. The runner
(``orchestration.cli``), when its plan ends with the transform, starts ``dbt_child.py --warm SOCKET``
first: that process imports dbt on the other core while the runner ingests, then waits on a Unix
socket in Linux's abstract namespace (no file to leave behind when a run is killed; each side serves
or trusts only a peer of its own user, which it reads from the socket, ``SO_PEERCRED``). The dbt
step's ``dbt_child.py build ...`` (``RQE_DBT_WARM`` names the socket) hands it its
command line, environment, folder and standard streams, and waits for its exit status, passing on
SIGINT and SIGTERM (and killing it if dbt is still running ``RQE_DBT_STOP_GRACE_S`` seconds after
the first: dbt can miss a query that starts just as it cancels); the dbt output reaches Dagster as it
would. One command per warm dbt; without one (the UI's and the daemon's runs, a second dbt call,
a warm dbt that failed to start) this execs dbt as before. The warm dbt dies with the runner (its
parent) and kills itself if the step's process goes (its end of the socket closes).
"""

import ctypes
import json
import os
import signal
import socket
import struct
import sys
import threading

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WARM_ENV = "RQE_DBT_WARM"  # the socket of the dbt started ahead, for the next dbt command
# seconds the warm dbt has to end after the caller's SIGINT or SIGTERM before the caller kills it
STOP_GRACE_ENV, STOP_GRACE_S = "RQE_DBT_STOP_GRACE_S", 10.0
STARTED, STATUS = b"S", struct.Struct("!i")  # the warm dbt's two answers: taken, then its exit status
PEER = struct.Struct("3i")  # SO_PEERCRED: pid, uid, gid
# What the bin/dbt script runs (``-m dbt.cli.main`` would warn that the module was imported twice),
# ended by ``reverse_qe.process_exit``: dbt's atexit handlers still close its DuckDB connection; the
# ~1 s of teardown after them is skipped. Its loggers build only the lines their level lets through,
# and it builds no message for an event no logger takes (``reverse_qe.log_level_first``). Both
# modules are loaded from their files, not by putting this folder on the path: dbt imports, as
# plugins, every top-level module named dbt_* it can find, and this folder holds two (dbt_child and
# dbt_parse, which imports the reverse_qe package).
LOAD_DBT = """\
import importlib.util, os, sys
def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join({folder!r}, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
process_exit = load("process_exit")
load("log_level_first").install()
from dbt.cli.main import cli
sys.argv[0] = "dbt"
"""
DBT_MAIN = LOAD_DBT + "process_exit.run_then_exit(cli)\n"
HERE = os.path.dirname(os.path.abspath(__file__))


def die_with_parent() -> None:
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent died before the request took effect
        sys.exit("dbt_child: the process that started dbt is gone; not starting dbt")


def _received(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def address(name: str) -> str:
    """The abstract socket ``name`` stands for (an environment value cannot hold its leading NUL)."""
    return "\0" + name


def peer(conn: socket.socket) -> tuple[int, int]:
    """The PID and user of the process at the other end of ``conn``."""
    pid, uid, _ = PEER.unpack(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, PEER.size))
    return pid, uid


def run_in_warm(name: str, argv: list[str]) -> int | None:
    """``argv`` run by the warm dbt listening at ``name``: its exit status, or None when no warm
    dbt of this user took it (none listening, or it ended before taking the command), so the caller
    starts dbt itself."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(address(name))
        pid, uid = peer(conn)
        if uid != os.getuid():  # the environment goes only to a process of this user
            return None
        request = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
        socket.send_fds(conn, [STATUS.pack(len(request))], [0, 1, 2])
        conn.sendall(request)
        if _received(conn, len(STARTED)) != STARTED:
            return None
    except OSError:
        return None
    stop = _Stop(pid, float(os.environ.get(STOP_GRACE_ENV) or STOP_GRACE_S))
    for forwarded in (signal.SIGINT, signal.SIGTERM):  # dagster-dbt stops dbt with SIGINT
        signal.signal(forwarded, stop.forward)
    status = _received(conn, STATUS.size)
    stop.ended()
    if len(status) == STATUS.size:
        return STATUS.unpack(status)[0]
    if stop.killed:
        return 128 + stop.killed  # as a shell reports a command its signal ended
    print(f"dbt_child: the dbt started ahead (PID {pid}) ended without an exit status", file=sys.stderr)
    return 1


class _Stop:
    """The caller's SIGINT and SIGTERM, passed on to the warm dbt; if dbt has not ended ``grace``
    seconds after the first, it is killed. dbt stops on SIGINT by interrupting the queries running
    then and waiting for its threads; a model whose query starts just after that is not interrupted,
    and dbt waits for it to finish (seen: a query of minutes, ``tests/reverse_qe/test_dbt_warm.py``).
    A cold dbt in that state dies with the step's process once dagster-dbt gives up on it; the warm
    dbt's parent is the runner, so its caller ends it."""

    def __init__(self, pid: int, grace: float):
        self.pid, self.grace, self.killed = pid, grace, 0
        self.timer: threading.Timer | None = None

    def forward(self, number: int, _frame) -> None:
        os.kill(self.pid, number)
        if self.timer is None:
            self.timer = threading.Timer(self.grace, self.kill, args=(number,))
            self.timer.daemon = True
            self.timer.start()

    def ended(self) -> None:
        """The warm dbt has ended: its PID is no longer its own to kill."""
        if self.timer is not None:
            self.timer.cancel()

    def kill(self, number: int) -> None:
        self.killed = number
        print(f"dbt_child: the dbt started ahead (PID {self.pid}) was still running {self.grace:g} s after "
              f"{signal.Signals(number).name}; killed it", file=sys.stderr, flush=True)
        os.kill(self.pid, signal.SIGKILL)


def _caller_went() -> None:
    """The caller is gone without dbt's status: no one waits for this dbt, so it ends at once."""
    os.kill(os.getpid(), signal.SIGKILL)


def _end_when_the_caller_goes(conn: socket.socket, answered: threading.Event) -> None:
    """The warm dbt's guard: the caller sends nothing more, so the end of the socket is its end,
    unless it ended because it had dbt's exit status (this process is exiting then). A caller killed
    before it read that its command was taken closes the socket with that byte unread, which reads
    here as a reset (ECONNRESET), not an end: the same."""
    try:
        while conn.recv(1):
            pass
    except OSError:
        pass
    if not answered.is_set():
        _caller_went()


def _answer(conn: socket.socket, answered: threading.Event, status: int) -> None:
    answered.set()
    conn.sendall(STATUS.pack(status))


def serve(name: str) -> None:
    """The warm dbt: listen at ``name`` (before importing, so a caller that comes early waits for
    the import rather than starting dbt again), import dbt, take one command from a process of this
    user, become that dbt."""
    # the path of dbt run as -c code (the cold start's): not this folder, whose dbt_* modules dbt
    # would import as plugins
    sys.path[0] = ""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address(name))
    listener.listen(1)
    namespace: dict = {}
    exec(LOAD_DBT.format(folder=HERE), namespace)  # noqa: S102 (this module's own code)
    while True:
        conn, _ = listener.accept()
        if peer(conn)[1] == os.getuid():
            break
        conn.close()  # another user's process: not served
    listener.close()
    try:
        header, fds, _, _ = socket.recv_fds(conn, STATUS.size, 3)
        request = json.loads(_received(conn, STATUS.unpack(header)[0]))
        conn.sendall(STARTED)
    except (OSError, ValueError, struct.error):  # the caller was killed before its command was taken
        _caller_went()
    answered = threading.Event()
    threading.Thread(target=_end_when_the_caller_goes, args=(conn, answered), daemon=True).start()
    for target, fd in zip((0, 1, 2), fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["dbt", *request["argv"]]
    namespace["process_exit"].run_then_exit(namespace["cli"], last=lambda status: _answer(conn, answered, status))


def main(argv: list[str]) -> None:
    # dbt stops on SIGINT (dagster-dbt's way to stop it, which a caller passes on to the warm dbt)
    # whatever this process inherited. A shell without job control starts a background command with
    # SIGINT ignored (`nohup make demo &`, a CI script's `cmd &`), Python keeps an inherited SIG_IGN,
    # and so did every dbt below the runner: it counted on until the grace's SIGKILL. A handler is
    # reset to the default by exec, so the cold dbt's Python installs its KeyboardInterrupt again.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if sys.platform.startswith("linux"):
        die_with_parent()
    if argv[:1] == ["--warm"]:
        serve(argv[1])
        return
    warm = os.environ.pop(WARM_ENV, "")
    status = run_in_warm(warm, argv) if warm else None
    if status is not None:
        sys.exit(status)
    python = os.environ.get("RQE_DBT_PYTHON") or sys.executable
    os.execv(python, [python, "-c", DBT_MAIN.format(folder=HERE), *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
