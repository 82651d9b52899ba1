"""The plot cache: a plot drawn for the same rows is reused, never for other rows, and the page
built from reused plots is the page built from fresh ones."""

from __future__ import annotations

import os

from reverse_qe.reports import page, plots
from reverse_qe.reports.png import PNG_SIGNATURE, cached_png, plots_cached_in
from tests.reverse_qe.reports.test_report_page import page_data

calls: list[tuple] = []


@cached_png
def square_png(side: int, *, colour: str = "red") -> bytes:
    calls.append((side, colour))
    return PNG_SIGNATURE + f"{side} {colour}".encode()


def test_a_plot_is_drawn_once_for_the_same_arguments_and_again_for_others(tmp_path):
    calls.clear()
    folder = tmp_path / "plots"
    with plots_cached_in(folder) as first:
        square_png(2)
        square_png(2, colour="blue")
    with plots_cached_in(folder) as second:
        assert square_png(2) == PNG_SIGNATURE + b"2 red"
        square_png(3)
    assert calls == [(2, "red"), (2, "blue"), (3, "red")]
    assert (first.drawn, first.reused, second.drawn, second.reused) == (2, 0, 1, 1)
    # a build keeps only the plots it used: the blue square is gone, so drawn again
    assert len(list(folder.glob("*.png"))) == 2
    with plots_cached_in(folder):
        square_png(2, colour="blue")
    assert calls[-1] == (2, "blue")
    square_png(2)  # outside a cache: always drawn
    assert calls[-1] == (2, "red") and len(calls) == 5


def test_a_damaged_cache_file_is_drawn_again_and_a_failed_build_removes_nothing(tmp_path):
    calls.clear()
    folder = tmp_path / "plots"
    with plots_cached_in(folder):
        square_png(4)
    (stored,) = folder.glob("*.png")
    stored.write_bytes(b"half a PN")
    try:
        with plots_cached_in(folder):
            assert square_png(4).startswith(PNG_SIGNATURE)
            raise RuntimeError("the page failed after its plots")
    except RuntimeError:
        pass
    assert calls == [(4, "red"), (4, "red")] and stored.read_bytes().startswith(PNG_SIGNATURE)


def test_the_page_from_reused_plots_is_the_page_from_fresh_ones(tmp_path, monkeypatch):
    data = page_data(tmp_path, coverage=True)
    with plots_cached_in(tmp_path / "plots") as first:
        fresh = page.build_page(data)
    drawn = []
    monkeypatch.setattr(plots, "figure_png", lambda fig, **kw: drawn.append(fig) or b"")
    with plots_cached_in(tmp_path / "plots") as second:
        assert page.build_page(data) == fresh
    assert first.drawn == second.reused == 21 and second.drawn == 0 and not drawn


def test_a_page_built_on_two_cores_is_the_page_built_on_one_and_draws_each_plot_once(tmp_path):
    data = page_data(tmp_path, coverage=True)
    with plots_cached_in(tmp_path / "one core") as serial:
        expected = page.build_page(data)
    with plots_cached_in(tmp_path / "two cores") as parallel:
        assert parallel.build(page.build_page, data) == expected
    assert parallel.drawn == serial.drawn == 21 and parallel.reused == 0
    assert sorted(p.name for p in (tmp_path / "two cores").glob("*.png")) == sorted(
        p.name for p in (tmp_path / "one core").glob("*.png"))
    with plots_cached_in(tmp_path / "two cores") as again:  # the next build: nothing left to draw
        assert again.build(page.build_page, data) == expected
    assert (again.drawn, again.reused) == (0, 21)


PARENT = os.getpid()


@cached_png
def only_in_this_process_png(side: int) -> bytes:
    """Fails in any other process, as a plot whose drawing crashed in the forked child would."""
    if os.getpid() != PARENT:
        raise RuntimeError("drawn in the child")
    calls.append((side, "parent"))
    return PNG_SIGNATURE + str(side).encode()


def test_a_plot_the_child_could_not_draw_is_drawn_by_the_build_itself(tmp_path):
    calls.clear()
    sides = [1, 2, 3, 4]
    with plots_cached_in(tmp_path / "plots") as cache:
        pngs = cache.build(lambda: [only_in_this_process_png(side) for side in sides])
    assert pngs == [PNG_SIGNATURE + str(side).encode() for side in sides]
    assert sorted(calls) == [(side, "parent") for side in sides]  # the child's two, drawn here afterwards
    assert (cache.drawn, cache.reused) == (4, 0)


@cached_png
def drawn_by_png(side: int) -> bytes:
    return PNG_SIGNATURE + f"{side} {os.getpid()}".encode()


def test_the_plots_not_kept_are_drawn_by_two_processes(tmp_path):
    with plots_cached_in(tmp_path / "plots") as cache:
        pngs = cache.build(lambda: [drawn_by_png(side) for side in range(4)])
    drawers = {png.split()[-1] for png in pngs}
    assert len(drawers) == 2 and str(PARENT).encode() in drawers
    assert cache.drawn == 4
