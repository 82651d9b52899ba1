"""Set-up time for `make bench`: `make demo`'s install step (`uv sync --frozen --compile-bytecode`
from uv.lock) into a new virtual environment, once with an empty uv cache (everything downloaded
from the registry) and once with the cache that run filled (nothing downloaded; the bytecode is
compiled in both). Never touches the repository's `.venv`: the environment and the cache live in
a temporary folder removed after each repeat.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.conftest import REPO

UV = REPO / ".tools" / "bin" / "uv"


def python_boot() -> str:
    """The interpreter the Makefile gives uv (PYTHON_BOOT: python3.11, else python3)."""
    found = shutil.which("python3.11") or shutil.which("python3")
    if not found:
        raise SystemExit("bench setup: no python3.11 or python3 on PATH (the Makefile's PYTHON_BOOT)")
    return found


def sync_seconds(venv: Path, cache: Path) -> float:
    """Wall seconds of the Makefile's `uv sync --frozen --compile-bytecode --python $(PYTHON_BOOT)`
    into ``venv``."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_CACHE_DIR": str(cache),
           "UV_PROJECT_ENVIRONMENT": str(venv)}
    env.pop("VIRTUAL_ENV", None)  # uv would warn that it differs from the project environment
    started = time.perf_counter()
    proc = subprocess.run([str(UV), "sync", "--frozen", "--compile-bytecode", "--python", python_boot()],
                          cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"bench setup: uv sync failed:\n{proc.stderr[-2000:]}")
    return seconds


def cold_and_warm() -> tuple[float, float]:
    """One repeat: a fresh environment on a fresh (empty) cache, then another on the cache it filled."""
    if not UV.exists():
        raise SystemExit(f"bench setup: {UV} is missing; `make setup` installs it")
    with tempfile.TemporaryDirectory(prefix="rqe-bench-setup-") as tmp:
        cache = Path(tmp) / "uv-cache"
        cold = sync_seconds(Path(tmp) / "venv-cold", cache)
        warm = sync_seconds(Path(tmp) / "venv-warm", cache)
    return cold, warm
