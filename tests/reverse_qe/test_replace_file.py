"""Files replaced in one step (reverse_qe/replace_file.py): the report page, landed downloads, the
plot cache and dbt's kept parse all write through it."""

from __future__ import annotations

import pytest

from reverse_qe.replace_file import replace_file, replace_with_copy


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_text_and_bytes_replace_the_file_and_leave_nothing_beside_it(tmp_path):
    target = tmp_path / "index.html"
    replace_file(target, "<p>one ✓</p>")
    assert target.read_text(encoding="utf-8") == "<p>one ✓</p>"
    replace_file(target, b"\x89PNG two")
    assert target.read_bytes() == b"\x89PNG two"
    assert leftovers(tmp_path) == []


def test_a_write_that_fails_keeps_the_old_file_whole_and_removes_its_temporary(tmp_path):
    target = tmp_path / "index.html"
    replace_file(target, "old page")
    with pytest.raises(UnicodeEncodeError):  # the temporary file is made, then the write fails
        replace_file(target, "half \ud800 a page")
    with pytest.raises(FileNotFoundError):
        replace_with_copy(tmp_path / "missing.msgpack", target)
    assert target.read_text() == "old page"
    assert leftovers(tmp_path) == []


def test_a_copy_replaces_the_file_with_the_sources_bytes(tmp_path):
    source, target = tmp_path / "partial_parse.msgpack", tmp_path / "kept.msgpack"
    source.write_bytes(bytes(range(256)) * 100)
    target.write_bytes(b"older parse")
    replace_with_copy(source, target)
    assert target.read_bytes() == source.read_bytes()
    assert leftovers(tmp_path) == []
