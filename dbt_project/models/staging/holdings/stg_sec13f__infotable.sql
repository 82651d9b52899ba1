-- Information-table lines with VALUE in USD: thousands for filings before 2023-01-03, dollars
-- after (the unit comes from the filing's date in SUBMISSION, and is kept beside the value).
-- A line whose accession number has no SUBMISSION row stays here with value_unit and value_usd
-- null (its unit, filer and period are unknown): the warn test infotable_lines_without_a_submission
-- counts them, and positions leave them out (they belong to no effective filing).
select
    i.accession_number,
    i.infotable_sk,
    i.cusip,
    i.name_of_issuer,
    i.title_of_class,
    i.value as value_reported,
    s.value_unit,
    cast(i.value as double) * case s.value_unit when 'usd_thousands' then 1000 when 'usd' then 1 end as value_usd,
    i.sshprnamt as shares_or_principal,
    i.sshprnamt_type as shares_or_principal_type,
    i.put_call,
    i.put_call is not null as is_option,
    i.source_mode
from {{ source('raw', 'sec13f_infotable') }} as i
left join {{ ref('stg_sec13f__submissions') }} as s on s.accession_number = i.accession_number
