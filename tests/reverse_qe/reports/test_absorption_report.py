"""The score's explanation: the latest row's components as markdown, the plot as an embedded PNG."""

import base64
import datetime as dt
import subprocess
import sys
from decimal import Decimal

from reverse_qe.reports.absorption import (
    latest_components_markdown,
    plot_markdown,
    regime_spans,
    score_plot_png,
)
from tests.conftest import REPO

ROWS = [
    {"week_ending": dt.date(2025, 1, 1) + dt.timedelta(weeks=i), "score": None if i < 2 else 50.0 + i,
     "regime": "ample" if i < 3 else "crowding_out", "hyperscaler_funding_13w_bn": Decimal("12.5"),
     "z_absorption_ratio": 0.25 * i,
     "z_neg_slack": -0.5, "confirmation_z": None, "score_null_reason": "z-score window not filled" if i < 2 else None,
     "is_synthetic": True}
    for i in range(5)
]


def test_markdown_shows_the_latest_row():
    text = latest_components_markdown(ROWS)
    assert text.startswith("**Week ending 2025-01-29 (SYNTHETIC scenario)**")
    assert "| Score (0-100) | 54.000 |" in text and "| Regime | crowding_out |" in text
    assert "| F13, USD bn | 12.500 |" in text and "| z(AR) | 1.000 |" in text
    assert "| Confirmation z | – |" in text
    assert latest_components_markdown([]) == "No rows in marts.fct_capex_absorption yet."


def test_plot_is_an_embedded_png():
    png = score_plot_png(ROWS)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    md = plot_markdown(png)
    assert md.startswith("![capex-absorption score](data:image/png;base64,")
    assert base64.b64decode(md.split(",", 1)[1][:-1]) == png


def test_regime_bands_tile_the_weeks_one_band_per_run():
    regimes = ["ample", "ample", None, "tightening", "tightening", "tightening", "crowding_out", "ample"]
    rows = [{"regime": r} for r in regimes]
    spans = regime_spans(rows)
    assert spans == [("ample", 0, 2), (None, 2, 3), ("tightening", 3, 6), ("crowding_out", 6, 7), ("ample", 7, 7)]
    # the same colour on each week-to-next-week interval as one band per week would give
    covered = {i: regime for regime, start, end in spans for i in range(start, end)}
    assert covered == {i: regimes[i] for i in range(len(regimes) - 1)}
    assert regime_spans([]) == [] and regime_spans([{"regime": "ample"}]) == [("ample", 0, 0)]


def test_loading_the_code_location_does_not_import_matplotlib():
    code = "import sys, orchestration.definitions; print(int('matplotlib' in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
