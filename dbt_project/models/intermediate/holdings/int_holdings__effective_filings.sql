-- Which filings make up each filer's holdings for a period of report (data sets are grouped by
-- filing date, so one period's filings can sit in several data sets):
--   the base is the latest of the original report and its RESTATEMENT amendments (a restatement
--   replaces everything before it); NEW HOLDINGS amendments filed after the base add to it.
-- An amendment whose cover page is missing is ignored (its type is unknown).
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='period_of_report', on_schema_change='append_new_columns') }}
{%- set inputs = ref('int_holdings__quarter_inputs') -%}
with filings as (
    select
        s.accession_number, s.cik, s.period_of_report, s.filing_date, s.submission_type,
        c.amendment_type, c.filing_manager_name, s.source_mode
    from {{ quarters_to_build(ref('stg_sec13f__submissions'), inputs, 'period_of_report') }} as s
    left join {{ ref('stg_sec13f__coverpages') }} as c on c.accession_number = s.accession_number
    where s.submission_type in ('13F-HR', '13F-HR/A')
),

base_ranked as (
    select
        *,
        row_number() over (
            partition by cik, period_of_report order by filing_date desc, accession_number desc
        ) as recency
    from filings
    where submission_type = '13F-HR' or amendment_type = 'RESTATEMENT'
),

base as (
    select * from base_ranked where recency = 1
)

select
    b.cik, b.period_of_report, b.accession_number, b.filing_date,
    'base' as filing_role, b.amendment_type, b.filing_manager_name, b.source_mode
from base as b

union all

select
    a.cik, a.period_of_report, a.accession_number, a.filing_date,
    'new_holdings' as filing_role, a.amendment_type, a.filing_manager_name, a.source_mode
from filings as a
join base as b on b.cik = a.cik and b.period_of_report = a.period_of_report
where a.amendment_type = 'NEW HOLDINGS'
  and (a.filing_date > b.filing_date or (a.filing_date = b.filing_date and a.accession_number > b.accession_number))
