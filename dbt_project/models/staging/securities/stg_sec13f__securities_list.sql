-- One row per line of the SEC's Official List of Section 13(f) Securities of each quarter.
select
    list_quarter_end,
    cusip,
    has_options,
    issuer_name,
    issuer_description,
    status as list_status
from {{ source('raw', 'sec13f_securities_list') }}
