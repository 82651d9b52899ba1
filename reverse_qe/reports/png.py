"""The one way a report draws: matplotlib off-screen (imported only when a plot is drawn, never
when the code location loads), a figure to PNG bytes, PNG bytes to an inline markdown image, the
label every synthetic plot carries, and the cache that spares a weekday redrawing unchanged plots."""

from __future__ import annotations

import base64
import contextlib
import contextvars
import functools
import hashlib
import io
import os
import pickle
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from reverse_qe.replace_file import replace_file

SYNTHETIC_LABEL = " (SYNTHETIC scenario)"
T = TypeVar("T")


def synthetic_label(is_synthetic) -> str:
    return SYNTHETIC_LABEL if is_synthetic else ""


def rows_synthetic_label(rows) -> str:
    """The label when any of ``rows`` (dicts with ``is_synthetic``) is synthetic."""
    return synthetic_label(any(r.get("is_synthetic") for r in rows))


def series(rows, column: str) -> list[float]:
    """``column`` of each row as a float, NaN where missing (matplotlib leaves a gap)."""
    return [float("nan") if r.get(column) is None else float(r[column]) for r in rows]


def pyplot():
    """matplotlib.pyplot on the off-screen Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_png(fig, *, dpi: int = 90) -> bytes:
    """The figure as PNG bytes; the figure is closed."""
    plt = pyplot()
    buffer = io.BytesIO()
    fig.tight_layout()
    # tight_layout leaves a placeholder layout engine behind, and savefig then draws the whole
    # figure once more without output before drawing it (a fifth of the page's plotting time); the
    # layout is done, so drop the engine: the PNG's bytes are the same (tests/reverse_qe/reports)
    fig.set_layout_engine(None)
    # no "Software" chunk: matplotlib writes its web address there, and a report names no URL
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def embed_png(name: str, content: bytes) -> str:
    """A markdown image with the PNG inline (a data URI), for Dagster's markdown metadata."""
    return f"![{name}](data:image/png;base64,{base64.b64encode(content).decode()})"


# ---------------------------------------------------------------------------------------------
# The plot cache. A plot function is pure (rows in, PNG out), so the PNG it drew for the same
# arguments, with the same report code and matplotlib, is the PNG it would draw again. A weekday
# changes few marts (3 of 23 on 2026-11-20 at scale 1), while drawing the page's 21 plots took
# 6.6 s of its transform.
# ---------------------------------------------------------------------------------------------
_CACHE: contextvars.ContextVar["PlotCache | None"] = contextvars.ContextVar("rqe_plot_cache", default=None)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@functools.cache
def _drawing_code() -> str:
    """What else a plot depends on: every module of this package, and matplotlib's version."""
    import matplotlib

    digest = hashlib.sha256(matplotlib.__version__.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode() + module.read_bytes())
    return digest.hexdigest()


class PlotCache:
    """PNGs by the hash of what drew them, in ``folder``; what a build did not use is removed when
    it ends, so the folder holds one build's plots."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.used: set[str] = set()
        self.drawn = 0
        self.reused = 0
        self._wanted: dict[str, tuple] | None = None  # while build() learns which plots to draw
        self._fresh: set[str] = set()  # drawn for this build by build(), read back as not reused

    @staticmethod
    def _name(draw: Callable[..., bytes], args: tuple, kwargs: dict) -> str | None:
        """The file name of this plot's PNG; None when its arguments cannot be pickled (so hashed)."""
        try:
            inputs = pickle.dumps((draw.__module__, draw.__qualname__, args, sorted(kwargs.items())), protocol=5)
        except (pickle.PicklingError, TypeError, AttributeError):
            return None
        return hashlib.sha256(_drawing_code().encode() + inputs).hexdigest() + ".png"

    def _stored(self, name: str) -> bytes | None:
        with contextlib.suppress(OSError):
            content = (self.folder / name).read_bytes()
            if content.startswith(PNG_SIGNATURE):
                return content
        return None

    def _keep(self, name: str, content: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        replace_file(self.folder / name, content)  # a half-written PNG is never read

    def png(self, draw: Callable[..., bytes], args: tuple, kwargs: dict) -> bytes:
        name = self._name(draw, args, kwargs)
        if self._wanted is not None:  # build()'s first pass: note the plot, draw nothing
            if name is not None and self._stored(name) is None:
                self._wanted[name] = (draw, args, kwargs)
            return PNG_SIGNATURE  # a stand-in: that pass's page is thrown away
        if name is None:
            self.drawn += 1
            return draw(*args, **kwargs)
        self.used.add(name)
        content = self._stored(name)
        if content is not None:
            self.reused += name not in self._fresh
            return content
        content = draw(*args, **kwargs)
        self.drawn += 1
        self._keep(name, content)
        return content

    def _draw_and_keep(self, plots: list[tuple[str, tuple]]) -> None:
        for name, (draw, args, kwargs) in plots:
            self._keep(name, draw(*args, **kwargs))

    def build(self, make: Callable[..., T], *args) -> T:
        """``make(*args)``, which draws plots through :func:`cached_png`, with the plots not kept yet
        drawn on two cores: a first call draws none and notes them, a forked child draws every other
        one while this process draws the rest, and a second call reads them all back. A plot the
        child could not draw is drawn by the second call. The page's 21 plots were ~4 s of a full
        run on one core."""
        self._wanted = {}
        try:
            make(*args)
        finally:
            wanted, self._wanted = list(self._wanted.items()), None
        if len(wanted) > 1 and hasattr(os, "fork"):
            pyplot()  # imported once, before the fork, not in both processes
            child = os.fork()
            if child == 0:  # the child: its share into the folder, then gone without Python's exit
                status = 1
                try:
                    self._draw_and_keep(wanted[1::2])
                    status = 0
                finally:
                    os._exit(status)
            self._draw_and_keep(wanted[0::2])
            os.waitpid(child, 0)
            self._fresh = {name for name, _ in wanted if self._stored(name) is not None}
            self.drawn += len(self._fresh)
        return make(*args)

    def remove_unused(self) -> None:
        for path in self.folder.glob("*.png"):
            if path.name not in self.used:
                path.unlink(missing_ok=True)


@contextlib.contextmanager
def plots_cached_in(folder: Path) -> Iterator[PlotCache]:
    """While open, each :func:`cached_png` function reuses the PNG it drew for the same arguments
    (kept in ``folder``), and draws and keeps the others. Outside it, they just draw."""
    cache = PlotCache(folder)
    token = _CACHE.set(cache)
    try:
        yield cache
    finally:
        _CACHE.reset(token)
    cache.remove_unused()  # after a build that completed only


def cached_png(draw: Callable[..., bytes]) -> Callable[..., bytes]:
    """A plot function (pure: arguments in, PNG bytes out) that reuses its PNG under :func:`plots_cached_in`."""
    @functools.wraps(draw)
    def drawn_or_reused(*args, **kwargs) -> bytes:
        cache = _CACHE.get()
        return draw(*args, **kwargs) if cache is None else cache.png(draw, args, kwargs)

    return drawn_or_reused
