"""The one way a report draws: matplotlib off-screen (imported only when a plot is drawn, never
when the code location loads), a figure to PNG bytes, PNG bytes to an inline markdown image, and
the label every synthetic plot carries."""

from __future__ import annotations

import base64
import io

SYNTHETIC_LABEL = " (SYNTHETIC scenario)"


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
    # no "Software" chunk: matplotlib writes its web address there, and a report names no URL
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def embed_png(name: str, content: bytes) -> str:
    """A markdown image with the PNG inline (a data URI), for Dagster's markdown metadata."""
    return f"![{name}](data:image/png;base64,{base64.b64encode(content).decode()})"
