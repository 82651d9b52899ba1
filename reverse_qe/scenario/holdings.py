"""SYNTHETIC Form 13F data sets: funders, hedge funds and other managers with overlapping holdings.

Securities: the taxonomy's, then real listed names by their real CUSIPs, then a SYNTHETIC tail
(``securities_map``, which also writes the SEC's 13(f) lists and OpenFIGI's answers for them).

Written in the SEC's data-set format (``sec_13f/<year>q<n>_form13f.zip`` with SUBMISSION.tsv,
COVERPAGE.tsv and INFOTABLE.tsv; zips grouped by *filing* date as the SEC groups them). Nothing here
is real but the listed securities' CUSIPs and names (public identifiers): CIKs lie in ranges no real filer uses (funders 91000000xx, hedge funds 92xxxxxxxx, others
93xxxxxxxx; see the ``holder_types`` seed) and every name says SYNTHETIC.

The universe (filers, their portfolios, securities and their quarterly prices) is drawn once from
the seed and the size, and every quarter from its own generator, so a period's filings never depend
on ``end``. Size: ``n_filers = 320 * scale`` and about ``min(390, 30 * scale)`` lines per filer, so
scale 1 is a few hundred filers (~10k lines a quarter) and scale 25 is one real quarter (~8,000
filers, ~3M lines). What the files exercise: VALUE in $ thousands for filings before 2023-01-03 and
in dollars after, with a summary page (SUMMARYPAGE.tsv: line count and value total) per filing;
RESTATEMENT and NEW HOLDINGS amendments; put/call option lines; a position split over two lines
(duplicate CUSIP in a filing). From 2025 the funders sell down their speculative holdings (capital
calls), which shows up as realised pressure.

Planted, as real filers did around the 2023 switch (``WRONG_UNIT_FILINGS``): one manager reports
its 2022 filings in dollars (the rule says thousands), and a small NEW HOLDINGS amendment for 2022
filed in 2023 still reports thousands (the rule says dollars). The per-filing unit check must read
both in the unit they are really in (a filing in neither unit, which it flags, is left to the tests
of that check: the clean scenario keeps every check green).
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .calendar import business_days
from .prices import HORIZON_END, HORIZON_START, PricedAsset, price_path
from .securities_map import universe_securities, write_security_map

SEED = 13_2025
FIRST_PERIOD = dt.date(2018, 3, 31)
LAST_PERIOD = dt.date(2030, 12, 31)
DOLLAR_VALUES_FROM = dt.date(2023, 1, 3)  # VALUE in dollars for filings from this date
FUNDER_SELLING_FROM = dt.date(2025, 3, 31)
FUNDER_CIKS = (9100000001, 9100000002, 9100000003, 9100000004)
FUNDER_NAMES = ("SYNTHETIC SOVEREIGN FUND A", "SYNTHETIC SOVEREIGN FUND B",
                "SYNTHETIC TECH CONGLOMERATE C", "SYNTHETIC SOVEREIGN FUND D")
HEDGE_FUND_CIK0, OTHER_CIK0 = 9200000000, 9300000000
SPECULATIVE = ("crypto_proxy", "software", "retail_favourite")

# Planted wrong-unit filings: (kind, period of report, filer index among the "other" managers,
# VALUE as written / VALUE by the rule). Kind 0 is the filer's original report of that period;
# kind 3 is an extra two-line NEW HOLDINGS amendment filed 80 days after the period end.
WRONG_UNIT_FILINGS = (
    (0, dt.date(2022, 3, 31), 0, 1000.0),  # a manager reporting dollars in 2022 (all three 2022 reports filed then)
    (0, dt.date(2022, 6, 30), 0, 1000.0),
    (0, dt.date(2022, 9, 30), 0, 1000.0),
    (3, dt.date(2022, 12, 31), 1, 0.001),  # a 2022 amendment filed in March 2023, still in thousands
)
SUBMISSION_HEADER = ["ACCESSION_NUMBER", "FILING_DATE", "SUBMISSIONTYPE", "CIK", "PERIODOFREPORT"]
COVERPAGE_HEADER = ["ACCESSION_NUMBER", "REPORTCALENDARORQUARTER", "ISAMENDMENT", "AMENDMENTNO",
                    "AMENDMENTTYPE", "CONFDENIEDEXPIRED", "DATEDENIEDEXPIRED", "DATEREPORTED",
                    "REASONFORNONCONFIDENTIALITY", "FILINGMANAGER_NAME"]
SUMMARYPAGE_HEADER = ["ACCESSION_NUMBER", "OTHERINCLUDEDMANAGERSCOUNT", "TABLEENTRYTOTAL", "TABLEVALUETOTAL",
                      "ISCONFIDENTIALOMITTED"]
INFOTABLE_HEADER = ["ACCESSION_NUMBER", "INFOTABLE_SK", "NAMEOFISSUER", "TITLEOFCLASS", "CUSIP", "FIGI",
                    "VALUE", "SSHPRNAMT", "SSHPRNAMTTYPE", "PUTCALL", "INVESTMENTDISCRETION",
                    "OTHERMANAGER", "VOTING_AUTH_SOLE", "VOTING_AUTH_SHARED", "VOTING_AUTH_NONE"]


@dataclass(frozen=True)
class TaxonomyAsset:
    ticker: str
    cusip: str
    name: str
    group: str
    priced: PricedAsset


def quarter_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    out, year, quarter = [], first.year, (first.month - 1) // 3 + 1
    while True:
        month = 3 * quarter
        day = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        if day > last:
            return out
        if day >= first:
            out.append(day)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


class Universe:
    """Filers, securities, base portfolios and quarterly prices: fixed by (scale, sizes)."""

    def __init__(self, taxonomy: list[TaxonomyAsset], *, n_filers: int, mean_positions: int):
        self.taxonomy = taxonomy
        self.n_filers = max(n_filers, len(FUNDER_CIKS) + 10)
        self.mean_positions = mean_positions
        rng = np.random.default_rng([SEED, self.n_filers, mean_positions])
        n_funders = len(FUNDER_CIKS)
        n_hedge = round(0.25 * (self.n_filers - n_funders))
        n_other = self.n_filers - n_funders - n_hedge
        self.kind = np.array(["funder"] * n_funders + ["hedge_fund"] * n_hedge + ["other"] * n_other)
        self.cik = np.concatenate([FUNDER_CIKS, HEDGE_FUND_CIK0 + 1 + np.arange(n_hedge),
                                   OTHER_CIK0 + 1 + np.arange(n_other)]).astype(np.int64)
        self.name = np.concatenate([FUNDER_NAMES, [f"SYNTHETIC HEDGE FUND {i + 1:05d} LP" for i in range(n_hedge)],
                                    [f"SYNTHETIC ASSET MANAGER {i + 1:05d}" for i in range(n_other)]])
        n_synthetic = max(200, 8 * self.n_filers // 12 + 20 * mean_positions)
        # securities: the taxonomy's 13F assets first, then real listed names by their real CUSIPs,
        # then a synthetic tail with well-formed CUSIPs (securities_map)
        others, other_names = universe_securities(n_synthetic)
        self.n_synthetic = n_synthetic
        self.cusip = np.array([a.cusip for a in taxonomy] + others)
        self.issuer = np.array([a.name.upper() for a in taxonomy] + other_names)
        self.n_tax = len(taxonomy)
        spec = np.array([a.group in SPECULATIVE for a in taxonomy])
        popularity = np.concatenate([np.full(self.n_tax, 1.0 / 3), 1.0 / (np.arange(n_synthetic) + 3.0) ** 0.9])
        hedge_pop = popularity.copy()
        hedge_pop[: self.n_tax][spec] *= 4.0
        self._p = {k: p / p.sum() for k, p in (("other", popularity), ("funder", popularity), ("hedge_fund", hedge_pop))}
        # base portfolios: number of lines, securities, dollar weights
        sizes = np.clip(np.rint(mean_positions * rng.lognormal(-0.125, 0.5, self.n_filers)), 3, 6 * mean_positions)
        sizes[:n_funders] = 3 * mean_positions
        sizes = np.minimum(sizes, len(self.cusip)).astype(np.int64)
        self.filer = np.repeat(np.arange(self.n_filers), sizes)
        self.security = np.empty(len(self.filer), dtype=np.int64)
        kinds = self.kind[self.filer]
        for kind, p in self._p.items():
            mask = kinds == kind
            self.security[mask] = rng.choice(len(self.cusip), size=int(mask.sum()), p=p)
        # one line per security and filer, except ~3% of positions deliberately split over two
        # lines (as real filers do by investment discretion): staging sums them
        unique = ~pd.DataFrame({"f": self.filer, "s": self.security}).duplicated().to_numpy()
        split = np.flatnonzero(unique & (rng.random(len(unique)) < 0.03))
        keep = np.sort(np.concatenate([np.flatnonzero(unique), split]))
        self.filer, self.security = self.filer[keep], self.security[keep]
        aum = np.where(self.kind == "funder", 60e9, np.where(self.kind == "hedge_fund", 2.5e9, 4e9))
        aum = aum * rng.lognormal(0, 0.6, self.n_filers)
        weights = rng.lognormal(0, 1.0, len(self.filer))
        weights[self.security < self.n_tax] *= 1.5  # widely held, and sizeable positions
        totals = np.bincount(self.filer, weights=weights, minlength=self.n_filers)
        self.base_value = aum[self.filer] * weights / totals[self.filer]
        self.discretion = np.where(rng.random(len(self.filer)) < 0.1, "DFND", "SOLE")
        self.periods = quarter_ends(FIRST_PERIOD, LAST_PERIOD)
        self.prices = self._quarterly_prices(rng, n_synthetic)
        self.base_shares = np.maximum(1, np.rint(self.base_value / self.prices[0, self.security]))

    def _quarterly_prices(self, rng: np.random.Generator, n_synthetic: int) -> np.ndarray:
        """Price per (period, security): taxonomy assets from their daily path, others a walk."""
        n_periods = len(self.periods)
        synthetic = 20 * np.exp(np.cumsum(rng.normal(0.015, 0.08, (n_periods, n_synthetic)), axis=0))
        taxonomy = np.empty((n_periods, self.n_tax))
        days = business_days(HORIZON_START, HORIZON_END)
        for i, asset in enumerate(self.taxonomy):
            close, _ = price_path(asset.priced, days)
            index = np.searchsorted(np.array([d.toordinal() for d in days]),
                                    [p.toordinal() for p in self.periods], side="right") - 1
            taxonomy[:, i] = close[index]
        return np.concatenate([taxonomy, synthetic], axis=1)

    @cached_property
    def speculative(self) -> np.ndarray:
        spec = np.zeros(len(self.cusip), dtype=bool)
        spec[: self.n_tax] = [a.group in SPECULATIVE for a in self.taxonomy]
        return spec


def filing_date(period: dt.date, cik: np.ndarray, days_after: int) -> np.ndarray:
    return np.array([period + dt.timedelta(days=days_after + int(c % 17)) for c in cik])


def sec_date(day: dt.date) -> str:
    return day.strftime("%d-%b-%Y").upper()


def _period_lines(u: Universe, q: int) -> pd.DataFrame:
    """The original filings' lines for period ``q`` (one generator per period)."""
    period = u.periods[q]
    rng = np.random.default_rng([SEED, u.n_filers, u.mean_positions, q])
    active = rng.random(len(u.filer)) < 0.95
    shares = u.base_shares * rng.lognormal(0, 0.15, len(u.filer))
    if period >= FUNDER_SELLING_FROM:  # funders sell speculative names to meet capital calls
        quarters_in = (period.year - FUNDER_SELLING_FROM.year) * 4 + (period.month - FUNDER_SELLING_FROM.month) // 3 + 1
        selling = (u.kind[u.filer] == "funder") & u.speculative[u.security]
        shares = np.where(selling, shares * max(0.7, 0.93 ** quarters_in), shares)
    shares = np.maximum(1, np.rint(shares)).astype(np.int64)
    lines = pd.DataFrame({"filer": u.filer[active], "security": u.security[active], "shares": shares[active],
                          "discretion": u.discretion[active], "put_call": ""})
    # hedge funds that hedge: a put line on a crypto proxy (an option, not a holding)
    hedgers = np.flatnonzero((u.kind == "hedge_fund") & (np.arange(u.n_filers) % 5 == 0))
    if len(hedgers) and u.n_tax:
        puts = pd.DataFrame({"filer": hedgers, "security": 0, "shares": 1000 + hedgers % 7 * 100,
                             "discretion": "SOLE", "put_call": "Put"})
        lines = pd.concat([lines, puts], ignore_index=True)
    lines["price"] = u.prices[q, lines["security"].to_numpy()]
    return lines


def _filings_for_period(u: Universe, q: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(filings, lines) of period ``q``: originals, restatements and new-holdings amendments."""
    period = u.periods[q]
    yy = (period.year + 1) % 100
    lines = _period_lines(u, q)
    filers = np.arange(u.n_filers)
    originals = pd.DataFrame({"filer": filers, "kind": 0, "filing_date": filing_date(period, u.cik, 25)})
    restating = filers[(filers * 7 + q) % 97 == 0]
    adding = filers[((filers * 11 + q) % 89 == 0) & (u.kind != "funder")]
    filings = pd.concat([
        originals,
        pd.DataFrame({"filer": restating, "kind": 1, "filing_date": filing_date(period, u.cik[restating], 70)}),
        pd.DataFrame({"filer": adding, "kind": 2, "filing_date": filing_date(period, u.cik[adding], 75)}),
    ], ignore_index=True)
    planted = _planted_amendments(u, period)
    if planted is not None:
        filings = pd.concat([filings, planted[["filer", "kind", "filing_date"]].drop_duplicates()], ignore_index=True)
    filings["value_scale"] = 1.0
    for kind, when, other, scale in WRONG_UNIT_FILINGS:
        if when == period:
            filings.loc[(filings["kind"] == kind) & (filings["filer"] == _other_filer(u, other)), "value_scale"] = scale
    filings["accession"] = [f"{u.cik[f]:010d}-{yy:02d}-{q * 10 + k:06d}" for f, k in zip(filings["filer"], filings["kind"])]
    out = [lines.assign(kind=0)] + ([] if planted is None else [planted])
    restated = lines[lines["filer"].isin(restating)].copy()
    restated["shares"] = np.rint(restated["shares"] * 1.02).astype(np.int64)  # a corrected count
    out.append(restated.assign(kind=1))
    rng = np.random.default_rng([SEED, u.n_filers, u.mean_positions, q, 2])
    extra = pd.DataFrame({"filer": np.repeat(adding, 2),
                          "security": rng.integers(u.n_tax, len(u.cusip), 2 * len(adding)),
                          "shares": rng.integers(1000, 50000, 2 * len(adding)), "discretion": "SOLE", "put_call": ""})
    extra["price"] = u.prices[q, extra["security"].to_numpy()]
    out.append(extra.assign(kind=2))
    all_lines = pd.concat(out, ignore_index=True).drop(columns="filing_date", errors="ignore").merge(filings, on=["filer", "kind"])
    return filings, all_lines


def _other_filer(u: Universe, index: int) -> int:
    return int(np.flatnonzero(u.kind == "other")[index])


def _planted_amendments(u: Universe, period: dt.date) -> pd.DataFrame | None:
    """The extra amendments of ``WRONG_UNIT_FILINGS`` due this period: two lines of widely held
    taxonomy securities (so other filers' prices exist to check them against)."""
    out = []
    for kind, when, other, _ in WRONG_UNIT_FILINGS:
        if when != period or kind == 0:
            continue
        filer = _other_filer(u, other)
        securities = np.arange(min(2, u.n_tax))
        out.append(pd.DataFrame({"filer": filer, "security": securities, "shares": 2000 + 500 * securities,
                                 "discretion": "SOLE", "put_call": "", "kind": kind,
                                 "filing_date": period + dt.timedelta(days=80)}))
    if not out:
        return None
    planted = pd.concat(out, ignore_index=True)
    planted["price"] = u.prices[u.periods.index(period), planted["security"].to_numpy()]
    return planted


def generate_holdings(out_dir: Path, *, end: dt.date, scale: float = 1, taxonomy: list[TaxonomyAsset],
                      periods: list[dt.date] | None = None, n_filers: int | None = None,
                      mean_positions: int | None = None) -> int:
    """Write the data-set zips for every period whose filings fall on or before ``end``.

    Returns the number of information-table lines written.
    """
    n_filers = n_filers or round(320 * scale)
    mean_positions = mean_positions or int(min(390, 30 * scale))
    u = Universe(taxonomy, n_filers=n_filers, mean_positions=mean_positions)
    folder = out_dir / "sec_13f"
    folder.mkdir(parents=True, exist_ok=True)
    by_zip: dict[str, list[tuple[pd.DataFrame, pd.DataFrame, dt.date]]] = {}
    written = 0
    for q, period in enumerate(u.periods):
        if period >= end or (periods is not None and period not in periods):
            continue
        filings, lines = _filings_for_period(u, q)
        keep = filings["filing_date"] <= end
        filings, lines = filings[keep], lines[lines["filing_date"] <= end]
        names = sorted({f"{d.year}q{(d.month - 1) // 3 + 1}" for d in filings["filing_date"]})
        # Later periods file later: a data set older than this period's first is complete, so it
        # is written now and leaves memory (all of them at once is ~70M lines at scale 16).
        for name in [n for n in sorted(by_zip) if names and n < names[0]]:
            written += _write_zip(folder / f"{name}_form13f.zip", u, by_zip.pop(name))
        for name in names:
            in_zip = filings["filing_date"].map(lambda d: f"{d.year}q{(d.month - 1) // 3 + 1}") == name
            chosen = filings[in_zip]
            by_zip.setdefault(name, []).append((chosen, lines[lines["accession"].isin(chosen["accession"])], period))
    for name, parts in sorted(by_zip.items()):
        written += _write_zip(folder / f"{name}_form13f.zip", u, parts)
    write_security_map(out_dir, periods=u.periods, taxonomy_names={a.cusip: a.name.upper() for a in taxonomy},
                       n_synthetic=u.n_synthetic, end=end)
    return written


def _tsv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(sep="\t", index=False, lineterminator="\n", quoting=csv.QUOTE_NONE).encode()


def _write_zip(path: Path, u: Universe, parts) -> int:
    submissions, covers, summaries, tables = [], [], [], []
    for filings, lines, period in parts:
        filers = filings["filer"].to_numpy()
        kinds = filings["kind"].to_numpy()
        submissions.append(pd.DataFrame({
            "ACCESSION_NUMBER": filings["accession"].to_numpy(),
            "FILING_DATE": [sec_date(d) for d in filings["filing_date"]],
            "SUBMISSIONTYPE": np.where(kinds == 0, "13F-HR", "13F-HR/A"),
            "CIK": u.cik[filers], "PERIODOFREPORT": sec_date(period)}))
        covers.append(pd.DataFrame({
            "ACCESSION_NUMBER": filings["accession"].to_numpy(), "REPORTCALENDARORQUARTER": sec_date(period),
            "ISAMENDMENT": np.where(kinds == 0, "N", "Y"), "AMENDMENTNO": np.where(kinds == 0, "", "1"),
            "AMENDMENTTYPE": np.select([kinds == 1, kinds >= 2], ["RESTATEMENT", "NEW HOLDINGS"], ""),
            "CONFDENIEDEXPIRED": "", "DATEDENIEDEXPIRED": "", "DATEREPORTED": "",
            "REASONFORNONCONFIDENTIALITY": "", "FILINGMANAGER_NAME": u.name[filers]}))
        security = lines["security"].to_numpy()
        value_usd = lines["shares"].to_numpy() * lines["price"].to_numpy()
        in_thousands = (lines["filing_date"] < DOLLAR_VALUES_FROM).to_numpy()
        # VALUE in the rule's unit, times the planted filings' scale (1 for every other filing)
        value = np.rint(np.where(in_thousands, value_usd / 1000, value_usd) * lines["value_scale"].to_numpy()).astype(np.int64)
        by_filing = pd.DataFrame({"a": lines["accession"].to_numpy(), "v": value}).groupby("a")["v"].agg(["size", "sum"])
        summaries.append(pd.DataFrame({
            "ACCESSION_NUMBER": filings["accession"].to_numpy(), "OTHERINCLUDEDMANAGERSCOUNT": 0,
            "TABLEENTRYTOTAL": by_filing["size"].reindex(filings["accession"]).fillna(0).astype(np.int64).to_numpy(),
            "TABLEVALUETOTAL": by_filing["sum"].reindex(filings["accession"]).fillna(0).astype(np.int64).to_numpy(),
            "ISCONFIDENTIALOMITTED": "N"}))
        is_option = lines["put_call"].to_numpy() != ""
        sole = np.where(lines["discretion"].to_numpy() == "SOLE", lines["shares"].to_numpy(), 0)
        tables.append(pd.DataFrame({
            "ACCESSION_NUMBER": lines["accession"].to_numpy(),
            "INFOTABLE_SK": 0,
            "NAMEOFISSUER": u.issuer[security], "TITLEOFCLASS": np.where(is_option, "PUT", "COM"),
            "CUSIP": u.cusip[security], "FIGI": "", "VALUE": value, "SSHPRNAMT": lines["shares"].to_numpy(),
            "SSHPRNAMTTYPE": "SH", "PUTCALL": lines["put_call"].to_numpy(),
            "INVESTMENTDISCRETION": lines["discretion"].to_numpy(),
            "OTHERMANAGER": np.where(lines["discretion"].to_numpy() == "DFND", "1", ""),
            "VOTING_AUTH_SOLE": sole, "VOTING_AUTH_SHARED": lines["shares"].to_numpy() - sole, "VOTING_AUTH_NONE": 0}))
    infotable = pd.concat(tables, ignore_index=True)
    infotable["INFOTABLE_SK"] = np.arange(1, len(infotable) + 1)
    buffer_members = {
        "SUBMISSION.tsv": _tsv(pd.concat(submissions, ignore_index=True)[SUBMISSION_HEADER]),
        "COVERPAGE.tsv": _tsv(pd.concat(covers, ignore_index=True)[COVERPAGE_HEADER]),
        "SUMMARYPAGE.tsv": _tsv(pd.concat(summaries, ignore_index=True)[SUMMARYPAGE_HEADER]),
        "INFOTABLE.tsv": _tsv(infotable[INFOTABLE_HEADER]),
    }
    tmp = path.with_suffix(".partial")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for member, content in buffer_members.items():
            archive.writestr(member, content)
    tmp.replace(path)
    return len(infotable)


def read_taxonomy(seed: Path) -> list[TaxonomyAsset]:
    """The taxonomy seed's assets: 13F ones (with a CUSIP) and all priced ones."""
    frame = pd.read_csv(seed, dtype=str, keep_default_na=False)
    start = {"crypto_proxy": 40.0, "software": 120.0, "retail_favourite": 25.0, "memory": 60.0, "other": 50.0}
    return [TaxonomyAsset(r.ticker, r.cusip, r.asset_name, r.asset_group,
                          PricedAsset(r.ticker, r.asset_group, r.price_source, r.price_symbol,
                                      30000.0 if r.ticker == "BTC-USD" else 1500.0 if r.ticker == "ETH-USD" else start[r.asset_group]))
            for r in frame.itertuples()]


def thirteen_f_assets(taxonomy: list[TaxonomyAsset]) -> list[TaxonomyAsset]:
    return [a for a in taxonomy if a.cusip]

