-- A reference price per share for each security and period of report, from the 13F filings
-- themselves: the median over the share lines (not options, not principal amounts) of VALUE /
-- shares, VALUE read in the unit the SEC's date rule gives its filing. All filers value a holding
-- at the same quarter-end price, so their implied prices agree within rounding; a filing in the
-- wrong unit sits 1000 times off and, being one of many, does not move the median. Only
-- securities reported by at least var('units_reference_min_filings') filings get a reference.
-- Order-independent (macros/threads.sql): a median (of the sorted values) and counts.
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='period_of_report', on_schema_change='append_new_columns',
          meta={'order_independent': true}) }}
{%- set inputs = ref('int_holdings__quarter_inputs') -%}
with lines as (
    select
        s.period_of_report,
        i.cusip,
        i.accession_number,
        cast(i.value_reported as double)
            * case s.value_unit_by_rule when 'usd_thousands' then 1000 else 1 end
            / i.shares_or_principal as implied_price_usd
    from {{ ref('stg_sec13f__infotable') }} as i
    join {{ quarters_to_build(ref('stg_sec13f__submissions'), inputs, 'period_of_report') }} as s on s.accession_number = i.accession_number
    where not i.is_option
      and i.shares_or_principal_type = 'SH'
      and i.shares_or_principal > 0
      and i.value_reported > 0
)

select
    period_of_report,
    cusip,
    {{ median('implied_price_usd') }} as reference_price_usd,
    count(distinct accession_number) as filings,
    count(*) as lines
from lines
group by period_of_report, cusip
having count(distinct accession_number) >= {{ var('units_reference_min_filings') }}
order by period_of_report, cusip
