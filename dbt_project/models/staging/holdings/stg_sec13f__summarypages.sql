-- One row per 13F filing's summary page: the line count and value total the filer declares for its
-- information table, in the unit of its VALUE column (thousands of USD before 2023-01-03, USD after).
select
    accession_number,
    table_entry_total,
    table_value_total
from {{ source('raw', 'sec13f_summarypages') }}
