"""Base URLs of the live services, overridable by env so tests can point them at a local server."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoints:
    fred: str = "https://fred.stlouisfed.org"
    fiscal_data: str = "https://api.fiscaldata.treasury.gov/services/api/fiscal_service"
    nyfed: str = "https://markets.newyorkfed.org"
    treasurydirect: str = "https://www.treasurydirect.gov"
    sec: str = "https://data.sec.gov"
    sec_13f: str = "https://www.sec.gov/files/structureddata/data/form-13f-data-sets"
    stooq: str = "https://stooq.com"
    coinbase: str = "https://api.exchange.coinbase.com"
    # the Official List of Section 13(f) Securities, linked from sec.gov/divisions/investment/13flists
    sec_13f_list: str = "https://www.sec.gov/files/investment"
    openfigi: str = "https://api.openfigi.com"

    @classmethod
    def from_env(cls) -> Endpoints:
        defaults = cls()
        return cls(
            fred=os.environ.get("RQE_FRED_BASE_URL", defaults.fred).rstrip("/"),
            fiscal_data=os.environ.get("RQE_FISCAL_DATA_BASE_URL", defaults.fiscal_data).rstrip("/"),
            nyfed=os.environ.get("RQE_NYFED_BASE_URL", defaults.nyfed).rstrip("/"),
            treasurydirect=os.environ.get("RQE_TREASURYDIRECT_BASE_URL", defaults.treasurydirect).rstrip("/"),
            sec=os.environ.get("RQE_SEC_BASE_URL", defaults.sec).rstrip("/"),
            sec_13f=os.environ.get("RQE_SEC_13F_BASE_URL", defaults.sec_13f).rstrip("/"),
            stooq=os.environ.get("RQE_STOOQ_BASE_URL", defaults.stooq).rstrip("/"),
            coinbase=os.environ.get("RQE_COINBASE_BASE_URL", defaults.coinbase).rstrip("/"),
            sec_13f_list=os.environ.get("RQE_SEC_13F_LIST_BASE_URL", defaults.sec_13f_list).rstrip("/"),
            openfigi=os.environ.get("RQE_OPENFIGI_BASE_URL", defaults.openfigi).rstrip("/"),
        )
