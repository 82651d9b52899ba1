"""While a run of the runner waits for the ``warehouse`` pool slot, say who holds it, free it when its
process is dead, and give up after ``RQE_LOCK_WAIT_S``.

Dagster waits for a pool slot silently (the step is only "blocked"). :class:`PoolWatch` is a thread
beside the in-process run: every ``poll_s`` it looks whether one of the run's steps waits for the
slot; if so it releases the runs whose process died (``orchestration.recovery``), reports the
holders (run id, job, step, PID, command, since when) at once and then every 30 s, and after
``wait_s`` of continuous waiting raises :class:`PoolWaitGaveUp` in the main thread, naming them.
Dagster's in-process executor does not look at SIGINT while a step is blocked, so the watch sends
SIGUSR1, whose handler (installed for the run's duration) raises: the run is marked failed and
its pending claim withdrawn. The signal lands wherever the main thread is, and code there may
swallow the exception: one CI run waited out a 600 s holder, its stderr opening with SQLAlchemy's
"Exception closing connection" and a traceback, which is how SQLAlchemy logs (and drops) an
exception raised while it closes a connection. So the watch sends it again every ``poll_s`` for
as long as the run's step still waits for the slot.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable

from dagster import DagsterInstance

from assets.raw import WAREHOUSE_POOL
from orchestration.recovery import release_dead_runs, slot_holders
from reverse_qe.warehouse_open import REPORT_EVERY_S


class PoolWaitGaveUp(Exception):
    """A step waited longer than RQE_LOCK_WAIT_S for the warehouse pool slot."""


class PoolWatch(threading.Thread):
    def __init__(self, instance: DagsterInstance, run_id: str, *, wait_s: float, poll_s: float = 2.0,
                 report: Callable[[str], None] = print, pool: str = WAREHOUSE_POOL):
        super().__init__(name=f"pool-watch-{run_id[:8]}", daemon=True)
        self.instance, self.run_id, self.wait_s, self.poll_s = instance, run_id, wait_s, poll_s
        self.report, self.pool = report, pool
        self.gave_up: str | None = None
        self._done = threading.Event()

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=10)

    def _give_up(self, signum, frame) -> None:
        raise PoolWaitGaveUp(self.gave_up)

    def __enter__(self) -> PoolWatch:
        self._previous = signal.signal(signal.SIGUSR1, self._give_up)  # the main thread's
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        signal.signal(signal.SIGUSR1, self._previous)

    def waiting_steps(self) -> list[str]:
        info = self.instance.event_log_storage.get_concurrency_info(self.pool)
        return [p.step_key for p in info.pending_steps if p.run_id == self.run_id and p.assigned_timestamp is None]

    def run(self) -> None:
        waiting_since = reported = None
        while not self._done.wait(self.poll_s):
            steps = self.waiting_steps()
            if not steps:
                waiting_since = reported = None
                continue
            for released in release_dead_runs(self.instance):
                self.report(str(released))
            now = time.monotonic()
            waiting_since = waiting_since or now
            holders = slot_holders(self.instance, self.pool, except_run=self.run_id)
            who = "; ".join(h.describe() for h in holders) or "no run holds it any more (a slot about to be freed)"
            if now - waiting_since >= self.wait_s:
                self.gave_up = (f"gave up waiting {now - waiting_since:.0f}s (RQE_LOCK_WAIT_S={self.wait_s:g}) for "
                                f"the '{self.pool}' pool slot for {', '.join(steps)}; it is held by {who}")
                self._until_the_wait_ends()
                return
            if reported is None or now - reported >= REPORT_EVERY_S:
                self.report(f"waiting for the '{self.pool}' pool slot ({now - waiting_since:.0f}s of at most "
                            f"{self.wait_s:g}s, RQE_LOCK_WAIT_S) for {', '.join(steps)}: held by {who}")
                reported = now

    def _until_the_wait_ends(self) -> None:
        """Raise PoolWaitGaveUp in the main thread, again each ``poll_s`` while the step still waits
        (a raise that lands in code catching every exception is lost), until the run ends."""
        while True:
            signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
            if self._done.wait(self.poll_s) or not self.waiting_steps():
                return
