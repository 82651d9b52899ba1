"""figure_png draws a figure once: after its tight layout, savefig's extra draw without output
(run for any layout engine, tight_layout's leftover placeholder included) is skipped, and the PNG is
byte for byte the one drawn with it."""

from __future__ import annotations

import datetime as dt
import io

from reverse_qe.reports.png import PNG_SIGNATURE, figure_png, pyplot


def _figure():
    """Like the page's plots: dates on x, two panels, a legend outside the axes, a long title."""
    plt = pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 4.5), sharex=True)
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=7 * i) for i in range(60)]
    top.plot(days, [i % 13 for i in range(60)], label="absorption ratio")
    top.axhline(5, linestyle="--", label="reference")
    bottom.bar(days, [(-1) ** i * i for i in range(60)], width=5, label="weekly change (bn)")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
    top.set_title("Idle pool and reverse-QE absorption, weekly (synthetic scenario)")
    bottom.set_ylabel("$ bn")
    return fig


def _draws(fig) -> list[int]:
    drawn: list[int] = []
    fig.canvas.mpl_connect("draw_event", lambda event: drawn.append(1))
    return drawn


def _png_as_before(fig, dpi: int = 90) -> bytes:
    """What figure_png did before: tight_layout, then savefig with its layout pass."""
    plt = pyplot()
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def test_the_figure_is_drawn_once_and_its_png_is_unchanged():
    before_fig = _figure()
    before_draws = _draws(before_fig)
    before = _png_as_before(before_fig)

    fig = _figure()
    draws = _draws(fig)
    png = figure_png(fig)

    assert png.startswith(PNG_SIGNATURE)
    assert len(before_draws) == 2  # matplotlib's extra draw this saves
    assert len(draws) == 1
    assert png == before
