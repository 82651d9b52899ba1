"""A deterministic error inside a raw step fails it once, with its type and message redacted, and
carries no cause: Dagster stores a failure's cause chain verbatim, so an unredacted third-party
message there would reach its run storage and the UI."""

import pytest
from dagster import Failure

from assets.raw import _retried_if_transient

KEY = "k3y-that-must-never-echo"


def failing_step(error: Exception):
    yield "first event"
    raise error


def test_a_third_party_error_quoting_a_secret_fails_redacted_and_without_its_cause(monkeypatch):
    monkeypatch.setenv("RQE_STOOQ_API_KEY", KEY)
    events = _retried_if_transient("raw.stooq_daily_prices", failing_step(ValueError(f"bad body: apikey {KEY}")))
    assert next(events) == "first event"
    with pytest.raises(Failure) as caught:
        next(events)
    failure = caught.value
    assert "raw.stooq_daily_prices: ValueError: bad body: apikey <redacted RQE_STOOQ_API_KEY>" in failure.description
    assert not failure.allow_retries
    assert failure.__cause__ is None and failure.__suppress_context__
