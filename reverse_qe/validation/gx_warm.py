"""Great Expectations started ahead: a process that imports GX while the runner imports Dagster,
then runs GX on the raw batches the run's steps send it.

GX's import (~3 s) fell on the first raw step with rows, in the run's one step process, while the
second core idled. The runner (``orchestration.cli``), when its plan ingests, starts ``python -m
reverse_qe.validation.gx_warm NAME``; ``RQE_GX_WARM`` names its socket, an abstract one as for the
dbt started ahead (``reverse_qe.dbt_child``: no file left by a killed run, a peer of this user
only). :func:`reverse_qe.validation.gx._run_gx` sends it a batch and its suite (pickled) and gets
back GX's failures and data-docs index, which that process wrote to the same folder, or GX's
exception, raised in the step. GX runs in the step's own process, as before, when no warm GX is
named or answers, and for a batch above ``MAX_ROWS`` (copying it would cost more than the import).
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import socket
import struct
import sys
import traceback
from typing import TYPE_CHECKING

from reverse_qe.dbt_child import address, die_with_parent, peer, received

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from reverse_qe.validation.gx import CheckFailure
    from reverse_qe.validation.suites import RawSuite

WARM_ENV = "RQE_GX_WARM"  # the socket of the GX started ahead, for this run's raw steps
SIZE = struct.Struct("!Q")  # each message: its length, then a pickle
# Larger batches stay in the step: pickling a 13F quarter's ~3M lines twice would cost seconds and
# hold a second copy in memory; the scenario's and a weekday's batches are far below this.
MAX_ROWS = 200_000


def _send(conn: socket.socket, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    conn.sendall(SIZE.pack(len(data)))
    conn.sendall(data)


def _receive(conn: socket.socket) -> object:
    header = received(conn, SIZE.size)
    if len(header) != SIZE.size:
        raise EOFError("the other end closed the socket")
    size = SIZE.unpack(header)[0]
    data = received(conn, size)
    if len(data) != size:
        raise EOFError("the other end closed the socket mid-message")
    return pickle.loads(data)  # noqa: S301 (a peer of this user only, checked before)


def run_gx_in_warm(frame: pd.DataFrame, suite: RawSuite, docs_dir: Path | None,
                   ) -> tuple[list[CheckFailure], Path | None] | None:
    """GX's failures and docs index for ``frame``, from the GX started ahead; None when there is
    none to ask (none named, none of this user listening, it ended mid-batch) or the batch is too
    large to send, so the caller runs GX itself. GX's own error is raised here."""
    name = os.environ.get(WARM_ENV)
    if not name or len(frame) > MAX_ROWS:
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        try:
            conn.connect(address(name))
            pid, uid = peer(conn)
            if uid != os.getuid():
                return None
            # the custom checks run in the step (they may hold functions); GX needs the expectations
            _send(conn, (frame, dataclasses.replace(suite, batch_checks=()), docs_dir))
            answer = _receive(conn)
        except (OSError, EOFError, pickle.PicklingError):
            return None
    if answer[0] == "found":
        return answer[1]
    error, text = answer[1], answer[2]
    try:
        raised = pickle.loads(error)  # noqa: S301 (as above)
    except Exception:  # an exception class that cannot be rebuilt from its pickle
        raised = None
    if isinstance(raised, BaseException):
        raise raised
    raise RuntimeError(f"Great Expectations failed in the GX started ahead (PID {pid}):\n{text}")


def _answer(frame: pd.DataFrame, suite: RawSuite, docs_dir: Path | None) -> tuple:
    from reverse_qe.validation.gx import run_gx_here

    try:
        return ("found", run_gx_here(frame, suite, docs_dir))
    except Exception as error:  # GX's error goes to the step, which raises it as its own
        try:
            pickled = pickle.dumps(error, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            pickled = b""
        return ("raised", pickled, "".join(traceback.format_exception(error)))


def serve(name: str) -> None:
    """Listen at ``name`` (before importing, so a step that comes early waits for the import
    rather than importing GX too), import GX and make its context, then answer each batch of a
    process of this user, one at a time, until the runner that started this process ends."""
    die_with_parent("GX")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address(name))
    listener.listen(8)
    from reverse_qe.validation.gx import gx_context

    gx_context()  # GX's import and its context: what the first batch would pay
    while True:
        conn, _ = listener.accept()
        with conn:
            if peer(conn)[1] != os.getuid():
                continue  # another user's process: not served
            try:
                request = _receive(conn)
                _send(conn, _answer(*request))
            except (OSError, EOFError):  # the step went mid-batch: wait for the next
                continue


if __name__ == "__main__":
    serve(sys.argv[1])
