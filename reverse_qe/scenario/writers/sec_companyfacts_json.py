"""Writes SEC XBRL companyfacts documents (``sec/CIK##########.json``): 10-Q YTD and 10-K FY cash-flow facts.

Each filing made up to ``last`` reports its year-to-date value per us-gaap tag in USD, with the
prior year's same period as comparative (two prior years in a 10-K), as real filings do; a tag with
nothing so far this year gets no fact.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..anchors.issuance import FIRST_DATE, HYPERSCALERS, NAMES
from ..world.issuance import FiscalYearFlows
from ..world.primitives import stable_hash
from .common import write_file

__all__ = ["companyfacts_document", "write_companyfacts"]


def companyfacts_document(ticker: str, years: list[FiscalYearFlows], last: dt.date) -> dict:
    """One company's companyfacts document with every filing made up to ``last``."""
    cik = HYPERSCALERS[ticker][0]
    facts: dict[str, list[dict]] = {}
    for index, year in enumerate(years):
        for n, q_end in enumerate(year.quarter_ends, start=1):
            annual = n == 4
            filed = year.filed[n - 1]
            if filed > last or filed < FIRST_DATE:
                continue
            accn = f"{cik:010d}-{filed.year % 100:02d}-{stable_hash(ticker, filed) % 900000 + 1000:06d}"
            form, fp = ("10-K", "FY") if annual else ("10-Q", f"Q{n}")
            periods = [(year.start, q_end, year.flows)]  # this year, then comparatives
            for back in (1, 2) if annual else (1,):
                if index - back >= 0:
                    prior = years[index - back]
                    periods.append((prior.start, prior.quarter_ends[n - 1], prior.flows))
            for p_start, p_end, p_flows in periods:
                for tag, quarterly in p_flows.items():
                    ytd = round(sum(quarterly[:n]), 3)
                    if ytd == 0:
                        continue  # nothing borrowed (or repaid) so far this year: no fact
                    facts.setdefault(tag, []).append({
                        "start": p_start.isoformat(), "end": p_end.isoformat(),
                        "val": int(round(ytd * 1e9)), "accn": accn, "fy": year.label, "fp": fp,
                        "form": form, "filed": filed.isoformat(),
                    })
    gaap = {tag: {"label": tag, "description": "SYNTHETIC scenario fact.", "units": {"USD": rows}}
            for tag, rows in sorted(facts.items())}
    return {"cik": cik, "entityName": NAMES[ticker], "facts": {"us-gaap": gaap}}


def write_companyfacts(out_dir: Path, document: dict) -> Path:
    return write_file(out_dir / "sec" / f"CIK{document['cik']:010d}.json", json.dumps(document, separators=(",", ":")))
