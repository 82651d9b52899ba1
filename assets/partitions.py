"""The PartitionsDefinitions of the raw assets (the maths behind them: ``reverse_qe.partitions``).

Every partitioned asset has ``BackfillPolicy.single_run()``: a range is one run.
"""

import datetime as dt
import warnings

from dagster import (
    BetaWarning,
    DynamicPartitionsDefinition,
    MonthlyPartitionsDefinition,
    PartitionsDefinition,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
)

from reverse_qe.partitions import h41_week_start
from reverse_qe.settings import HISTORY_START

# BackfillPolicy.single_run is what makes a range one run; Dagster marks the parameter beta.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=BetaWarning)

# end_offset=1: the month (week) in progress is a partition too, so today's data has a home.
monthly_partitions = MonthlyPartitionsDefinition(start_date=HISTORY_START.isoformat(), end_offset=1)
# Thursday..Wednesday weeks, as the Fed's H.4.1 averages them (day_offset 4 = Thursday).
h41_weekly_partitions = WeeklyPartitionsDefinition(start_date=h41_week_start(HISTORY_START).isoformat(), day_offset=4, end_offset=1)
sec_13f_dataset_partitions = DynamicPartitionsDefinition(name="sec_13f_datasets")


def keys_through(partitions_def: PartitionsDefinition, as_of: dt.date | None,
                 dynamic_partitions_store=None) -> list[str]:
    """Partition keys of a definition up to the one holding ``as_of`` (time-based; None: now, the
    partitions the UI shows, the one in progress included), or every key (dynamic)."""
    if isinstance(partitions_def, TimeWindowPartitionsDefinition):
        current = dt.datetime.combine(as_of, dt.time(12)) if as_of is not None else None
        return partitions_def.get_partition_keys(current_time=current)
    return list(partitions_def.get_partition_keys(dynamic_partitions_store=dynamic_partitions_store))
