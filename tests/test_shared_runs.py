"""``make test``'s schedule (tests/conftest.py): a shared run is built once per session whichever
xdist worker asks for it, and the long files are handed out first, one per worker, so neither
worker is left with a long file at the end while the other idles."""

import threading
import time
from pathlib import Path
from types import SimpleNamespace

from tests.conftest import (
    LONGEST_FIRST,
    REPO,
    PipelineRun,
    pytest_xdist_make_scheduler,
    shared_run,
)


class Worker:
    """What the scheduler sees of an xdist worker: the tests it was sent, in order."""

    def __init__(self, name: str):
        self.gateway = SimpleNamespace(id=name)
        self.shutting_down = False
        self.sent: list[int] = []

    def send_runtest_some(self, indices):
        self.sent.extend(indices)

    def shutdown(self):
        self.shutting_down = True


def scheduler_for(collection: list[str]):
    config = SimpleNamespace(getvalue={"dist": "loadfile", "tx": ["2*popen"]}.get,
                             option=SimpleNamespace(loadscopereorder=True))
    scheduler = pytest_xdist_make_scheduler(config, None)
    workers = [Worker("gw0"), Worker("gw1")]
    for worker in workers:
        scheduler.add_node(worker)
    for worker in workers:
        scheduler.add_node_collection(worker, collection)
    scheduler.schedule()
    return scheduler, workers


def files_sent(worker: Worker, collection: list[str]) -> list[str]:
    return list(dict.fromkeys(collection[i].split("::")[0] for i in worker.sent))


def test_the_long_files_go_first_one_per_worker_and_a_worker_in_one_gets_light_files_meanwhile():
    long_a, long_b, long_c = LONGEST_FIRST[:3]
    collection = [f"tests/light_{n}.py::test_{i}" for n in range(4) for i in range(4 - n)]
    collection += [f"{long_c}::test_0", f"{long_b}::test_0", f"{long_a}::test_0", f"{long_a}::test_1"]
    scheduler, (gw0, gw1) = scheduler_for(collection)

    # each worker is sent one long file, and (it must know a worker's next test before it runs the
    # last one) the lightest files to follow it, not the next long one
    assert files_sent(gw0, collection) == [long_a, "tests/light_3.py"]
    assert files_sent(gw1, collection) == [long_b, "tests/light_2.py"]
    # the next long file waits for a worker done with its long one
    assert long_c not in files_sent(gw0, collection) + files_sent(gw1, collection)
    for index in list(gw1.sent):
        scheduler.mark_test_complete(gw1, index)
    assert long_c in files_sent(gw1, collection)


def test_every_long_file_exists():
    assert all((REPO / path).is_file() for path in LONGEST_FIRST)


def test_a_shared_run_is_built_once_for_concurrent_askers_and_its_dagster_home_leaves_ram(tmp_path, monkeypatch):
    # outside xdist the session's folder is the base temp itself (under make test's xdist it would
    # be the base temp's parent, outside this test's tmp_path)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    builds = []

    def build(root: Path) -> PipelineRun:
        builds.append(root)
        ram = tmp_path / "ram"
        ram.mkdir()
        (ram / "runs.db").write_text("history")
        root.mkdir()
        (root / "dagster_home").symlink_to(ram)
        time.sleep(0.5)  # long enough for the other asker to arrive while this one builds
        return PipelineRun(root, root / "warehouse" / "w.duckdb", 0, "built")

    factory = SimpleNamespace(getbasetemp=lambda: tmp_path)
    runs = []
    askers = [threading.Thread(target=lambda: runs.append(shared_run(factory, "demo", build))) for _ in range(2)]
    for asker in askers:
        asker.start()
    for asker in askers:
        asker.join()

    assert builds == [tmp_path / "demo"]
    assert runs[0] == runs[1] == PipelineRun(tmp_path / "demo", tmp_path / "demo" / "warehouse" / "w.duckdb", 0, "built")
    home = tmp_path / "demo" / "dagster_home"
    assert not home.is_symlink() and (home / "runs.db").read_text() == "history"
    assert not (tmp_path / "ram").exists()
