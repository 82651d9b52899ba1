"""A file replaced in one step: a reader, or a run killed midway, finds the old file or the new one,
never half of one. The new content goes to a hidden temporary file beside the target (the same
folder, so the same file system) and is renamed over it with ``os.replace``; if writing fails, the
temporary file is removed and the old file is left as it was."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Callable


def temporary_beside(path: Path) -> Path:
    """``.<name>.<32 hex>.tmp`` in ``path``'s folder: hidden, and unique per writer."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


def temporary_name_pattern(name: str) -> str:
    """A regular expression for the names :func:`temporary_beside` gives beside a file named ``name``."""
    return rf"\.{re.escape(name)}\.[0-9a-f]{{32}}\.tmp"


def _replace(path: Path, write: Callable[[Path], object]) -> Path:
    temporary = temporary_beside(path)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def replace_file(path: Path, content: bytes | str) -> Path:
    """``path`` holding ``content`` (text is written as UTF-8)."""
    if isinstance(content, str):
        return _replace(path, lambda temporary: temporary.write_text(content, encoding="utf-8"))
    return _replace(path, lambda temporary: temporary.write_bytes(content))


def replace_with_copy(source: Path, path: Path) -> Path:
    """``path`` holding a copy of ``source``'s bytes."""
    return _replace(path, lambda temporary: shutil.copyfile(source, temporary))
