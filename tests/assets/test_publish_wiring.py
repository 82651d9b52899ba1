"""The published asset hands publish_copy each raw table's declared date column."""

from assets.publish import RAW_ASSETS, raw_date_columns


def test_every_raw_table_has_its_declared_date_column():
    columns = raw_date_columns()
    assert len(columns) == sum(len(a.keys) for a in RAW_ASSETS) == 12
    assert columns["fred_observations"] == "observation_date"
    assert columns["sec_companyfacts"] == "filed"
    assert columns["sec13f_infotable"] is None  # partitioned by data set, no date of its own
    assert all(column is None or column.isidentifier() for column in columns.values())
