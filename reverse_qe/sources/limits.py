"""How big one source document may be, checked on bytes before a parser builds any Python object.

A document past a bound is refused as a :class:`SourceFormatError` naming the source, the file or
URL and the bound (so it is quarantined, not retried): a 114 MB CSV used to become 4.5 GB of Python
lists before its first check, and a 1.5 MB zip inflated to 3.5 GB. Each bound is set from the real
downloads (``tests/real/`` checks every real file passes) with ample room, and can be raised by env
for a source that grows:

- ``RQE_MAX_DOCUMENT_BYTES`` (64 MiB): the largest real document is 3.5 MB (a TreasuryDirect
  securities export; the DTS public-debt export of 2021-06..2023-12 is 1.9 MB, so its whole
  history since 2005 is ~16 MB).
- ``RQE_MAX_DOCUMENT_LINES`` (1,000,000): the most lines in a real document are 15,149 (that DTS
  export, ~6,000 a year: ~130,000 for its whole history). At 64 MiB a document could hold 30M
  short lines, each a Python list once split: the line count bounds that.
- ``RQE_MAX_DATASET_ZIP_BYTES`` (1 GiB): a Form 13F data-set zip as the SEC publishes it (one
  quarter is ~100 MB compressed, ~3M information-table lines). Its members are bounded by
  ``sec_13f.MAX_MEMBER_BYTES`` and :data:`MAX_INFLATION_RATIO`.
"""

from __future__ import annotations

import os

from reverse_qe.sources.errors import SourceFormatError

ENV_DOCUMENT_BYTES, DEFAULT_DOCUMENT_BYTES = "RQE_MAX_DOCUMENT_BYTES", 64 * 1024 ** 2
ENV_DOCUMENT_LINES, DEFAULT_DOCUMENT_LINES = "RQE_MAX_DOCUMENT_LINES", 1_000_000
ENV_DATASET_ZIP_BYTES, DEFAULT_DATASET_ZIP_BYTES = "RQE_MAX_DATASET_ZIP_BYTES", 1024 ** 3
# How many times its compressed size a zip member may inflate to. Real text deflates 3.1x (a Stooq
# history) to 11.9x (the DTS public-debt export, the most repetitive real file); a TSV of the real
# 13F information table (tests/fixtures/real_excerpts/sec_13f) 3.5x. A zip bomb inflates ~1000x.
MAX_INFLATION_RATIO = 100


def _bound(name: str, default: int, environ=os.environ) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError(f"{name}={raw!r}: expected a positive whole number")
    return int(raw)


def max_document_bytes(environ=os.environ) -> int:
    return _bound(ENV_DOCUMENT_BYTES, DEFAULT_DOCUMENT_BYTES, environ)


def max_document_lines(environ=os.environ) -> int:
    return _bound(ENV_DOCUMENT_LINES, DEFAULT_DOCUMENT_LINES, environ)


def max_dataset_zip_bytes(environ=os.environ) -> int:
    return _bound(ENV_DATASET_ZIP_BYTES, DEFAULT_DATASET_ZIP_BYTES, environ)


def too_big(size: int, limit: int, env: str) -> str:
    return (f"{size:,} bytes, more than the {limit:,} a document of this source may be ({env}; the "
            "largest real one is far smaller): refused before reading")


def check_document(source: str, location: str, content: bytes) -> None:
    """Refuse ``content`` past the byte bound or the line bound."""
    limit = max_document_bytes()
    if len(content) > limit:
        raise SourceFormatError(source, location, too_big(len(content), limit, ENV_DOCUMENT_BYTES))
    lines, most = bytes(content).count(b"\n"), max_document_lines()
    if lines > most:
        raise SourceFormatError(source, location, (
            f"{lines:,} lines, more than the {most:,} a document of this source may hold "
            f"({ENV_DOCUMENT_LINES}; the most in a real one is 15,149): refused before parsing"))
