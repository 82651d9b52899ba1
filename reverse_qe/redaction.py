"""The one redaction of secrets: every configured secret's value, wherever it appears.

Secrets come only from env: the Stooq key (``RQE_STOOQ_API_KEY``), the OpenFIGI key (``OPENFIGI_API_KEY``,
the name OpenFIGI's own clients read), the SEC contact sent as
``User-Agent`` (``RQE_SEC_USER_AGENT``), and any other ``RQE_*`` variable whose name says it is a
key, token, secret or password. A server may echo them back in a body (a 401 page quoting the key,
a 403 quoting the User-Agent): :func:`redact` hides each value, and its URL-encoded form, in any
text that is recorded (errors, log lines, Dagster metadata, ``raw.quarantine``, landed bodies),
together with ``apikey=``/``api_key=`` URL parameters whatever their value.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote, quote_plus

SECRET_ENV = ("RQE_STOOQ_API_KEY", "RQE_SEC_USER_AGENT", "OPENFIGI_API_KEY")
_SECRET_NAME = re.compile(r"RQE_\w*(KEY|TOKEN|SECRET|PASSWORD|PASSWD|USER_AGENT)\w*")
_SECRET_PARAM = re.compile(r"(?i)\b(apikey|api_key)=[^&#\s\"'<>]*")
# A value this short is no secret worth hiding, and hiding it would blank out ordinary text.
MIN_SECRET_LENGTH = 4


def secret_values(environ=os.environ) -> dict[str, str]:
    """``{value: env name}`` of every configured secret, each with its URL-encoded forms."""
    names = set(SECRET_ENV) | {name for name in environ if _SECRET_NAME.fullmatch(name)}
    found: dict[str, str] = {}
    for name in sorted(names):
        value = (environ.get(name) or "").strip()
        if len(value) >= MIN_SECRET_LENGTH:
            for form in (value, quote(value, safe=""), quote_plus(value)):
                found.setdefault(form, name)
    return found


def redact(text: str, environ=os.environ) -> str:
    """``text`` with every secret value replaced by ``<redacted NAME>`` and API-key URL parameters
    emptied."""
    for value, name in sorted(secret_values(environ).items(), key=lambda item: -len(item[0])):
        text = text.replace(value, f"<redacted {name}>")
    return _SECRET_PARAM.sub(r"\1=<redacted>", text)


def redact_bytes(content: bytes, environ=os.environ) -> bytes:
    """:func:`redact` of a body: each secret value's UTF-8 bytes replaced; other bytes untouched."""
    for value, name in sorted(secret_values(environ).items(), key=lambda item: -len(item[0])):
        content = content.replace(value.encode("utf-8"), f"<redacted {name}>".encode())
    return content
