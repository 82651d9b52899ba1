-- Information-table lines with VALUE in USD, in the unit resolved for their filing
-- (int_holdings__filing_units: the SEC's date rule, corrected where the filing's implied prices or
-- its summary page show the other unit), kept beside the value with the filing's unit_status.
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

filings as (
    select accession_number, value_unit, unit_status from {{ ref('int_holdings__filing_units') }}
),

in_usd as (
    select
        lines.accession_number,
        lines.infotable_sk,
        lines.cusip,
        lines.name_of_issuer,
        lines.title_of_class,
        lines.value_reported,
        filings.value_unit,
        filings.unit_status,
        cast(lines.value_reported as double) * case filings.value_unit when 'usd_thousands' then 1000 when 'usd' then 1 end as value_usd,
        lines.shares_or_principal,
        lines.shares_or_principal_type,
        lines.put_call,
        lines.is_option,
        lines.source_mode
    from lines
    left join filings on filings.accession_number = lines.accession_number
)

select * from in_usd
