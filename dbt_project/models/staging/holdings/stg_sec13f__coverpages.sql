select
    accession_number,
    report_calendar_or_quarter,
    coalesce(is_amendment, false) as is_amendment,
    amendment_no,
    amendment_type,
    filing_manager_name
from {{ source('raw', 'sec13f_coverpages') }}
