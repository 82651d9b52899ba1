"""``python -m orchestration.cli backfill --select KEYS --partition-range FIRST...LAST``: the README's
backfill from the command line, planned as ``dagster asset materialize`` plans it and run by the runner.

``dagster asset materialize`` waits without a word while another run holds the ``warehouse`` pool
slot (Dagster's wait for a slot has no hook), and a slot held by a run whose process died kept it
waiting for ever. Its run also stays out of the UI's runs timeline (no code location recorded).
The same run through the runner says who holds the slot at once and every 30 s, frees it when its
holder's processes are gone, gives up after ``RQE_LOCK_WAIT_S`` (``orchestration.pool_watch``),
and is recorded under the code location (``orchestration.launch``).

The plan is that command's: the same selection syntax (comma-separated keys, ``*`` and ``+`` for
lineage), Dagster's implicit asset job (what the UI's Materialize launches; on the timeline, "Jobless
asset materializations"), one run for a range (every ingestion asset has ``BackfillPolicy.single_run``),
and the same refusals, each raised as :class:`BackfillRefused` with what to change.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from dagster import AssetKey, AssetSelection, JobDefinition
from dagster._core.definitions.backfill_policy import BackfillPolicyType
from dagster._core.definitions.partitions.context import partition_loading_context
from dagster._core.errors import DagsterInvalidSubsetError, DagsterUnknownPartitionError

from reverse_qe.partitions import partition_range_tags

RANGE_SEPARATOR = "..."  # dagster asset materialize's, and the UI's


class BackfillRefused(ValueError):
    """The selection or the partitions cannot make one run; the message says why."""


@dataclass(frozen=True)
class Backfill:
    job: JobDefinition
    asset_keys: tuple[AssetKey, ...]
    tags: dict[str, str]

    def describe(self) -> str:
        keys = ", ".join(key.to_user_string() for key in self.asset_keys)
        first = self.tags.get("dagster/asset_partition_range_start") or self.tags.get("dagster/partition")
        last = self.tags.get("dagster/asset_partition_range_end", first)
        return f"{keys}" + (f" partitions {first}..{last}" if first else "")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.cli backfill",
        description="Materialise assets over a partition range in one run, saying who holds the "
        "warehouse slot while it waits (README, Backfills).")
    parser.add_argument("--select", required=True,
                        help="comma-separated asset keys, e.g. 'raw/dts_operating_cash_balance,raw/dts_public_debt_transactions'")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--partition-range", help=f"FIRST{RANGE_SEPARATOR}LAST, e.g. 2024-01-01{RANGE_SEPARATOR}2024-06-01")
    which.add_argument("--partition", help="one partition key")
    return parser.parse_args(argv)


def plan(defs, instance, select: str, *, partition: str | None = None,
         partition_range: str | None = None) -> Backfill:
    """The one run that materialises ``select`` over the partitions given, or :class:`BackfillRefused`."""
    repository = defs.get_repository_def()
    try:
        keys = AssetSelection.from_coercible(select.split(",")).resolve(repository.asset_graph)
    except DagsterInvalidSubsetError as err:
        raise BackfillRefused(f"--select {select!r}: {err}") from None
    job = repository.get_implicit_job_def_for_assets(keys)
    ordered = tuple(sorted(keys, key=lambda k: k.path))
    partitions_defs = {key: job.asset_layer.get(key).partitions_def for key in ordered} if job else {}
    partitioned = [key for key, partitions_def in partitions_defs.items() if partitions_def is not None]
    if job is None or len({partitions_defs[key] for key in partitioned}) > 1:
        raise BackfillRefused(f"--select {select!r}: the assets of one backfill must share a partitions "
                              "definition (one job per cadence: README, Operations)")
    if partition_range is not None:
        first, separator, last = partition_range.partition(RANGE_SEPARATOR)
        if not (separator and first and last):
            raise BackfillRefused(f"--partition-range {partition_range!r}: expected FIRST{RANGE_SEPARATOR}LAST")
        policies = {key: job.asset_layer.get(key).backfill_policy for key in ordered}
        not_single = [key.to_user_string() for key, policy in policies.items()
                      if policy is None or policy.policy_type != BackfillPolicyType.SINGLE_RUN]
        if not_single:
            raise BackfillRefused(f"a partition range is one run only for assets with BackfillPolicy.single_run(); "
                                  f"not {', '.join(not_single)}")
        wanted, tags = [first, last], partition_range_tags(first, last)
    elif partition is not None:
        wanted, tags = [partition], None
    else:
        if partitioned:
            raise BackfillRefused(f"partitioned assets ({', '.join(k.to_user_string() for k in partitioned)}): "
                                  "give --partition-range or --partition")
        return Backfill(job, ordered, {})
    if not partitioned:
        raise BackfillRefused(f"--select {select!r}: none of these assets is partitioned")
    with partition_loading_context(dynamic_partitions_store=instance) as context:
        for key in wanted:
            try:
                job.validate_partition_key(key, selected_asset_keys=keys, context=context)
            except DagsterUnknownPartitionError:
                raise BackfillRefused(f"no partition {key!r} of {', '.join(k.to_user_string() for k in partitioned)}"
                                      " (daily sources: the first of a month; H.4.1: a Thursday; 13F: a data set)"
                                      ) from None
        if tags is None:
            tags = dict(job.get_tags_for_partition_key(partition, selected_asset_keys=keys))
        in_order = partitions_defs[partitioned[0]].get_partition_keys(dynamic_partitions_store=instance)
    if in_order.index(wanted[0]) > in_order.index(wanted[-1]):
        raise BackfillRefused(f"--partition-range {partition_range!r}: {wanted[0]} comes after {wanted[-1]}")
    return Backfill(job, ordered, tags)
