-- One row per 13F filing; the unit its VALUE column was published in, by filing date.
select
    accession_number,
    cast(cik as bigint) as cik,
    submission_type,
    filing_date,
    period_of_report,
    case when filing_date < date '2023-01-03' then 'usd_thousands' else 'usd' end as value_unit,
    source_mode
from {{ source('raw', 'sec13f_submissions') }}
