"""The SEC's 13(f) list from replay or scenario files reads only the quarters of the run's window:
a weekday's month holds none, and parsing every quarter's list to keep nothing took 7.4 s of a
scale-16 weekday. The rows kept are those the partition keeps of a whole read."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from reverse_qe.sources.endpoints import Endpoints
from reverse_qe.sources.errors import SourceFormatError
from reverse_qe.sources.securities import load_13f_list
from reverse_qe.sources.transports import FileTransport
from reverse_qe.sources.window import FetchWindow
from tests.conftest import FIXTURES

DECEMBER_2022 = FetchWindow(dt.date(2022, 12, 1), dt.date(2023, 1, 1))


@pytest.fixture
def replay(tmp_path):
    folder = tmp_path / "sec_13f_list"
    shutil.copytree(FIXTURES / "sec_13f_list", folder)  # 13flist2022q4.txt, 13flist2023q1.txt
    return tmp_path


def load(root, window):
    return load_13f_list(FileTransport(root, mode="replay"), Endpoints(), window=window)


def test_the_window_reads_its_own_quarters_lists_and_keeps_what_a_whole_read_keeps(replay):
    whole = load(replay, None)
    assert sorted(whole["list_quarter_end"].dt.date.unique()) == [dt.date(2022, 12, 31), dt.date(2023, 3, 31)]
    december = load(replay, DECEMBER_2022)
    kept = whole[whole["list_quarter_end"] == pd.Timestamp("2022-12-31")].reset_index(drop=True)
    pd.testing.assert_frame_equal(december.reset_index(drop=True), kept)


def test_a_list_outside_the_window_is_not_parsed_and_a_month_without_a_quarter_end_reads_none(replay):
    # a broken list for a later quarter: reading it would fail, so it is not read for December 2022
    (replay / "sec_13f_list" / "13flist2023q2.txt").write_text("<html>not a list</html>\n")
    assert set(load(replay, DECEMBER_2022)["list_quarter_end"].dt.date) == {dt.date(2022, 12, 31)}
    november = load(replay, FetchWindow(dt.date(2022, 11, 1), dt.date(2022, 12, 1)))
    assert november.empty and "list_quarter_end" in november.columns
    with pytest.raises(SourceFormatError, match="13flist2023q2.txt"):  # its own month reads it
        load(replay, FetchWindow(dt.date(2023, 6, 1), dt.date(2023, 7, 1)))


def test_a_file_whose_name_names_no_quarter_is_still_refused_by_name(replay):
    shutil.copy(replay / "sec_13f_list" / "13flist2022q4.txt", replay / "sec_13f_list" / "13flist-copy.txt")
    with pytest.raises(SourceFormatError, match="13flist-copy.txt"):
        load(replay, FetchWindow(dt.date(2022, 11, 1), dt.date(2022, 12, 1)))
