"""Great Expectations started ahead (``reverse_qe.validation.gx_warm``, as the runner starts it): a
step that names it gets the same failures and data docs as GX in its own process, without
importing GX; GX's error is raised in the step; without an answer the step runs GX itself."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reverse_qe.validation import gx_warm
from reverse_qe.validation.gx import validate_raw_batch
from reverse_qe.validation.suites import Expect, RawSuite
from tests.conftest import REPO
from tests.unix_sockets import wait_until_listening

# The batch and suite, as code, so that the step's own process builds them without this module
# (whose imports could bring GX in)
BATCH = textwrap.dedent("""
    import pandas as pd
    from reverse_qe.validation.suites import Expect, RawSuite
    SUITE = RawSuite("gx_warm_probe", "test_source", (
        Expect("ExpectColumnValuesToNotBeNull", {"column": "x"}, "x is present"),
        Expect("ExpectColumnValuesToBeBetween", {"column": "x", "min_value": 0, "max_value": 10}, "x is 0 to 10"),
    ))
    FRAME = pd.DataFrame({"x": [1.0, None, 42.0, 3.0], "source_uri": ["a.csv"] * 4})
""")
_batch: dict = {}
exec(BATCH, _batch)  # noqa: S102 (this module's own code)
SUITE, FRAME = _batch["SUITE"], _batch["FRAME"]

# What a raw step does, in a process of its own: validate, then say whether it imported GX.
STEP = BATCH + textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from reverse_qe.validation.gx import validate_raw_batch
    outcome = validate_raw_batch(FRAME, SUITE, docs_dir=Path(sys.argv[1]))
    print(json.dumps({"failures": [[f.check, f.detail, list(f.rows)] for f in outcome.failures],
                      "docs_index": str(outcome.docs_index),
                      "imported_gx": "great_expectations" in sys.modules}))
""")


@pytest.fixture
def warm_gx(tmp_path):
    name = f"rqe-gx-test-{tmp_path.name}-{os.getpid()}"
    warm = subprocess.Popen([sys.executable, "-m", "reverse_qe.validation.gx_warm", name], cwd=REPO,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    wait_until_listening(warm, name, "the warm GX")
    yield name
    warm.kill()
    warm.wait(timeout=30)


def step(docs: Path, env: dict) -> dict:
    import json

    done = subprocess.run([sys.executable, "-c", STEP, str(docs)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_a_step_gets_gxs_failures_and_docs_from_the_warm_gx_without_importing_gx(warm_gx, tmp_path):
    alone = step(tmp_path / "alone", {k: v for k, v in os.environ.items() if k != gx_warm.WARM_ENV})
    ahead = step(tmp_path / "ahead", {**os.environ, gx_warm.WARM_ENV: warm_gx})
    assert alone["imported_gx"] and not ahead["imported_gx"]
    assert ahead["failures"] == alone["failures"]
    assert [f[2] for f in ahead["failures"]] == [[1], [2]]  # the null, then 42 out of range
    assert Path(alone["docs_index"]) == tmp_path / "alone" / "index.html"
    assert Path(ahead["docs_index"]) == tmp_path / "ahead" / "index.html"  # written by the warm GX
    assert "gx_warm_probe" in Path(ahead["docs_index"]).read_text()


def test_gxs_error_is_raised_in_the_step(warm_gx, monkeypatch):
    monkeypatch.setenv(gx_warm.WARM_ENV, warm_gx)
    wrong = RawSuite("gx_warm_wrong", "test_source", (Expect("ExpectNoSuchThing", {"column": "x"}, "none"),))
    with pytest.raises(AttributeError, match="ExpectNoSuchThing"):
        validate_raw_batch(FRAME, wrong)
    assert validate_raw_batch(FRAME, SUITE).failures  # and it serves the next batch


def test_without_a_warm_gx_or_for_a_large_batch_the_step_runs_gx_itself(warm_gx, monkeypatch):
    monkeypatch.setenv(gx_warm.WARM_ENV, "rqe-gx-nobody-listens-here")
    assert gx_warm.run_gx_in_warm(FRAME, SUITE, None) is None
    assert [f.rows for f in validate_raw_batch(FRAME, SUITE).failures] == [(1,), (2,)]
    monkeypatch.setenv(gx_warm.WARM_ENV, warm_gx)
    monkeypatch.setattr(gx_warm, "MAX_ROWS", len(FRAME) - 1)
    assert gx_warm.run_gx_in_warm(FRAME, SUITE, None) is None


def test_the_runner_starts_a_warm_gx_only_for_a_plan_that_ingests_and_names_it_to_the_steps(monkeypatch):
    from orchestration.cli import TRANSFORM_JOB, start_gx_meanwhile

    monkeypatch.setenv(gx_warm.WARM_ENV, "")  # recorded, so the name the runner sets is removed after the test
    monkeypatch.delenv(gx_warm.WARM_ENV)
    assert start_gx_meanwhile([TRANSFORM_JOB]) is None
    assert gx_warm.WARM_ENV not in os.environ
    warm = start_gx_meanwhile(["daily_ingest", TRANSFORM_JOB])
    try:
        name = os.environ[gx_warm.WARM_ENV]  # what the raw steps read
        wait_until_listening(warm, name, "the runner's warm GX")
    finally:
        warm.kill()
        warm.wait(timeout=30)
