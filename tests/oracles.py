"""Independent pandas re-computations used only as test oracles, never at run time.

The TGA label rule lives in dbt (``int_treasury__tga_daily``); this second, separate reading of the
raw Daily Treasury Statement rows exists so tests can check the model (and the whole bathtub)
against something that does not share its code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reverse_qe.reconciliations import bathtub_net_liquidity

TGA_LABELS_OPENING = ("Federal Reserve Account", "Treasury General Account (TGA)",
                      "Treasury General Account (TGA) Opening Balance")
TGA_CLOSING_ROW = "Treasury General Account (TGA) Closing Balance"
NEXT_OPENING_MAX_DAYS = 5


def tga_close_from_raw(balances: pd.DataFrame) -> pd.Series:
    """TGA close per DTS date ($bn) from raw table I rows, without the dbt models.

    The four-row era's closing row; else the API's close_today_bal; else the next published day's
    opening if it comes within NEXT_OPENING_MAX_DAYS days.
    """
    rows = balances.assign(record_date=pd.to_datetime(balances["record_date"]))
    opening = rows[rows["account_type"].isin(TGA_LABELS_OPENING)].groupby("record_date")["open_today_bal"].max()
    closing_row = rows[rows["account_type"] == TGA_CLOSING_ROW].groupby("record_date")["open_today_bal"].max()
    api_close = rows[rows["account_type"].isin(TGA_LABELS_OPENING[:2])].groupby("record_date")["close_today_bal"].max()
    opening = opening.dropna().sort_index()
    next_date = pd.Series(opening.index[1:].append(pd.DatetimeIndex([pd.NaT])), index=opening.index)
    next_open = pd.Series(np.append(opening.to_numpy()[1:], np.nan), index=opening.index)
    next_open = next_open.where((next_date - opening.index.to_series()).dt.days <= NEXT_OPENING_MAX_DAYS)
    close = (closing_row.reindex(opening.index).astype(float)
             .combine_first(api_close.reindex(opening.index).astype(float)).combine_first(next_open))
    return (close / 1000).rename("tga_close_bn")


def bathtub_net_liquidity_from_raw(fred: pd.DataFrame, balances: pd.DataFrame) -> pd.Series:
    """Net liquidity ($bn) per week ending Wednesday from the raw tables alone: the run-time
    recomputation with this module's own reading of the TGA instead of dbt's."""
    return bathtub_net_liquidity(fred, tga_close_from_raw(balances).rename_axis("record_date").reset_index())


# ---------------------------------------------------------------------------------------------
# From the published files themselves, with pandas alone (none of the project's parsers).
# ---------------------------------------------------------------------------------------------

def fred_file(path) -> pd.DataFrame:
    """A FRED graph CSV (``observation_date,<ID>`` or the older ``DATE,<ID>``; "." or empty =
    missing) as series_id, observation_date, value."""
    frame = pd.read_csv(path, na_values=["."], keep_default_na=True)
    date_column, series_id = frame.columns[0], frame.columns[1]
    return pd.DataFrame({"series_id": series_id, "observation_date": pd.to_datetime(frame[date_column]),
                         "value": pd.to_numeric(frame[series_id])}).dropna(subset=["value"])


def dts_cash_file(path) -> pd.DataFrame:
    """A Daily Treasury Statement table I file (the site's CSV export, or an API JSON page) as
    record_date, account_type, open_today_bal, close_today_bal ($mn)."""
    import json
    from pathlib import Path

    path = Path(path)
    if path.suffix == ".json":
        frame = pd.DataFrame(json.loads(path.read_text())["data"])
        numbers = {c: pd.to_numeric(frame[c].replace("null", None)) for c in ("open_today_bal", "close_today_bal")}
        return pd.DataFrame({"record_date": pd.to_datetime(frame["record_date"]),
                             "account_type": frame["account_type"], **numbers})
    frame = pd.read_csv(path, encoding="utf-8-sig")
    close = frame["Closing Balance Today"] if "Closing Balance Today" in frame else None
    return pd.DataFrame({"record_date": pd.to_datetime(frame["Record Date"]), "account_type": frame["Type of Account"],
                         "open_today_bal": pd.to_numeric(frame["Opening Balance Today"], errors="coerce"),
                         "close_today_bal": pd.to_numeric(close, errors="coerce") if close is not None else float("nan")})
