-- Information-table lines with VALUE in USD: thousands for filings before 2023-01-03, dollars
-- after (the unit comes from the filing's date in SUBMISSION, and is kept beside the value).
-- A line whose accession number has no SUBMISSION row stays here with value_unit and value_usd
-- null (its unit, filer and period are unknown): the warn test infotable_lines_without_a_submission
-- counts them, and positions leave them out (they belong to no effective filing).
-- A view, as the staging model that held this join was: positions and option positions read it
-- once each, so a table would only add a copy of every 13F line.
{{ config(materialized='view') }}

with

lines as (
    select * from {{ ref('stg_sec13f__infotable') }}
),

submissions as (
    select * from {{ ref('stg_sec13f__submissions') }}
),

in_usd as (
    select
        lines.accession_number,
        lines.infotable_sk,
        lines.cusip,
        lines.name_of_issuer,
        lines.title_of_class,
        lines.value_reported,
        submissions.value_unit,
        cast(lines.value_reported as double) * case submissions.value_unit when 'usd_thousands' then 1000 when 'usd' then 1 end as value_usd,
        lines.shares_or_principal,
        lines.shares_or_principal_type,
        lines.put_call,
        lines.is_option,
        lines.source_mode
    from lines
    left join submissions on submissions.accession_number = lines.accession_number
)

select * from in_usd
