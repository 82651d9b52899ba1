-- One row per 13F filing; the unit its VALUE column should be in by the SEC's rule: thousands of
-- USD for filings before 2023-01-03, USD from then on, by filing date (Form 13F instructions as
-- amended in 2022). Whether the filer followed it is checked per filing in int_holdings__filing_units.
select
    accession_number,
    cast(cik as bigint) as cik,
    submission_type,
    filing_date,
    period_of_report,
    case when filing_date < date '2023-01-03' then 'usd_thousands' else 'usd' end as value_unit_by_rule,
    source_mode
from {{ source('raw', 'sec13f_submissions') }}
