-- Each RESTATEMENT amendment beside the report it replaces (the filer's previous original or
-- restatement for that period, in filing order): lines and value of both. The SEC defines a
-- restatement as the whole report again, so it replaces (int_holdings__effective_filings); a
-- "restatement" holding only a part of the report it replaces (fewer than
-- var('amendments_partial_restatement_share') of its lines) is most likely a filer's correction of
-- a few lines mislabelled, and would lose the rest: the warn test partial_restatements reports it.
-- Order-independent (macros/threads.sql): sums of whole dollars (exact in a double below 2^53
-- whatever the order) and counts; each filer's reports are ordered by filing date, then accession
-- number, which no two share.
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='period_of_report', on_schema_change='append_new_columns',
          meta={'order_independent': true}) }}
{%- set inputs = ref('int_holdings__quarter_inputs') -%}
with reports as (
    select s.accession_number, s.cik, s.period_of_report, s.filing_date, c.amendment_type
    from {{ quarters_to_build(ref('stg_sec13f__submissions'), inputs, 'period_of_report') }} as s
    left join {{ ref('stg_sec13f__coverpages') }} as c on c.accession_number = s.accession_number
    where s.submission_type = '13F-HR' or (s.submission_type = '13F-HR/A' and c.amendment_type = 'RESTATEMENT')
),

sized as (
    select r.accession_number, r.cik, r.period_of_report, r.filing_date, r.amendment_type,
           count(i.accession_number) as lines, coalesce(sum(i.value_usd), 0) as value_usd
    from reports as r
    left join {{ ref('int_holdings__infotable_in_usd') }} as i on i.accession_number = r.accession_number
    group by r.accession_number, r.cik, r.period_of_report, r.filing_date, r.amendment_type
),

ordered as (
    select
        *,
        lag(accession_number) over filing_order as replaced_accession_number,
        lag(lines) over filing_order as replaced_lines,
        lag(value_usd) over filing_order as replaced_value_usd
    from sized
    window filing_order as (partition by cik, period_of_report order by filing_date, accession_number)
)

select
    accession_number,
    cik,
    period_of_report,
    filing_date,
    lines,
    value_usd,
    replaced_accession_number,
    replaced_lines,
    replaced_value_usd,
    cast(lines as double) / nullif(replaced_lines, 0) as lines_share_of_replaced,
    coalesce(lines < {{ var('amendments_partial_restatement_share') }} * replaced_lines, false) as is_partial
from ordered
where amendment_type = 'RESTATEMENT'
order by accession_number
