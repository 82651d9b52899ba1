"""One redaction for every configured secret's value, wherever it appears."""

from __future__ import annotations

from reverse_qe.redaction import redact, redact_bytes, secret_values
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.transports import SourceFetchError

ENV = {"RQE_STOOQ_API_KEY": "k3y-51fa", "RQE_SEC_USER_AGENT": "Jane Doe jane@example.com",
       "RQE_FUTURE_TOKEN": "tok-777", "RQE_SOURCE": "live", "HOME": "/root"}


def test_every_secret_value_and_its_url_forms_are_hidden_not_other_settings():
    assert set(secret_values(ENV).values()) == {"RQE_STOOQ_API_KEY", "RQE_SEC_USER_AGENT", "RQE_FUTURE_TOKEN"}
    text = ("body: key k3y-51fa; agent Jane Doe jane@example.com; encoded Jane%20Doe%20jane%40example.com, "
            "Jane+Doe+jane%40example.com; token tok-777; url ?s=x&apikey=other; mode live")
    shown = redact(text, ENV)
    for secret in ("k3y-51fa", "Jane Doe", "Jane%20Doe", "Jane+Doe", "tok-777", "apikey=other"):
        assert secret not in shown
    assert "<redacted RQE_STOOQ_API_KEY>" in shown and "mode live" in shown and "apikey=<redacted>" in shown
    assert redact_bytes(b"\x00k3y-51fa\xff", ENV) == b"\x00<redacted RQE_STOOQ_API_KEY>\xff"


def test_errors_are_redacted_when_made(monkeypatch):
    monkeypatch.setenv("RQE_STOOQ_API_KEY", "k3y-51fa")
    error = SourceFormatError("stooq", "https://x/?s=a&apikey=k3y-51fa", "starts with 'bad key k3y-51fa'")
    assert "k3y-51fa" not in str(error) and "k3y-51fa" not in error.reason + error.location
    assert "k3y-51fa" not in str(SourceFetchError("[stooq] HTTP 401: key k3y-51fa unknown"))
