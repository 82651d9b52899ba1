"""Partition maths, no Dagster: which rows of a loaded batch a run covers, and which keys a run takes.

How ingestion is partitioned (the Dagster definitions are in ``assets/partitions.py``):
- Daily sources (DTS, NY Fed, auctions, MSPD, companyfacts, prices): one partition per calendar
  MONTH of the row's own date. The daily run refreshes the current month (month-to-date, so late
  revisions land too). Daily partitions were measured: Dagster writes two events per partition and
  asset (about 20-45 ms each on this machine), so 2018-to-date at one partition a day was 762 s
  instead of ~40 s; a month keeps a full-history backfill to ~100 partitions per asset.
- The H.4.1 week (FRED): one partition per week ending Wednesday, keyed by its Thursday start.
- 13F: one dynamic partition per quarterly data set (``<name>_form13f``), added by the sensor that
  sees the data set appear (or by ``make demo`` for the files it finds).

Loaders read the documents; :func:`partition_mask` keeps the rows of the run's partitions (rows of
other partitions are not written by this run, and are counted in its metadata).

No pandas at import: this module is on the code location's load path.
"""

import datetime as dt
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import pandas as pd



def h41_week_start(day: dt.date) -> dt.date:
    """The Thursday that starts the H.4.1 week (Thursday..Wednesday) holding ``day``."""
    return day - dt.timedelta(days=(day.weekday() - 3) % 7)

DATASET_SUFFIX = "_form13f"


def dataset_partition_key(file_name: str) -> str:
    """``01sep2025-30nov2025_form13f.zip`` (or the extracted folder) -> ``01sep2025-30nov2025_form13f``."""
    return file_name.removesuffix(".zip")


def partition_mask(frame: "pd.DataFrame", *, date_column: str | None,
                   window: tuple[dt.date, dt.date] | None = None,
                   dataset_keys: Sequence[str] = ()) -> "pd.Series":
    """Rows of ``frame`` inside the run's partitions.

    A time window ``[start, end)`` selects by ``date_column``; data-set keys select rows whose
    document (``source_uri``) is that data set, and keep rows from documents of no data set
    (single-filing 13F XML tables), which belong to whichever run reads them.
    """
    if window is not None:
        start, end = window
        dates = frame[date_column]
        return (dates >= str(start)) & (dates < str(end))
    uris = frame["source_uri"]
    keys = set(dataset_keys)
    keep = {}
    for uri in uris.unique():  # decided once per document, not per row (3M rows a quarter)
        dataset = dataset_of_location(uri)
        keep[uri] = dataset is None or dataset in keys
    return uris.map(keep).astype(bool)


def dataset_of_location(location: str) -> str | None:
    """The 13F data set a document belongs to, by the document's own names only, never by the
    folders above the source folder (a replay directory may be ``/home/me/my_form13f_downloads/``):
    the data-set zip itself (``.../<name>_form13f.zip``, a file or the SEC's URL), or a member of an
    extracted data set, a folder right under ``sec_13f/`` (``.../sec_13f/<name>_form13f/INFOTABLE.tsv``).
    None: a document of no data set (one filing's information-table XML)."""
    parts = location.replace("\\", "/").split("/")
    if parts[-1].endswith(f"{DATASET_SUFFIX}.zip"):
        return dataset_partition_key(parts[-1])
    if len(parts) >= 3 and parts[-3] == "sec_13f" and parts[-2].endswith(DATASET_SUFFIX):
        return parts[-2]
    return None


def partition_range_tags(first: str, last: str) -> dict[str, str]:
    """Run tags for one single-run backfill of ``first..last`` (what the UI and CLI create)."""
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


def keys_to_run(keys: Sequence[str], materialized: set[str]) -> list[str]:
    """From the first partition not yet materialised, or the newest one that was (it may have been
    in progress then: a month or week gains data every day), whichever comes first, through the
    newest: a first run loads all history, a daily run the current partition, a run after a gap
    the last one seen plus everything since."""
    if not keys:
        return []
    first_missing = next((i for i, key in enumerate(keys) if key not in materialized), len(keys) - 1)
    last_done = max((i for i, key in enumerate(keys) if key in materialized), default=0)
    return list(keys[min(first_missing, last_done):])
