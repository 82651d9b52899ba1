-- One row per filer, period of report and security: the effective filings' lines summed
-- (a position split over several lines, or added by a NEW HOLDINGS amendment, is one position).
-- Put/call lines are options, not holdings: they are in int_holdings__option_positions.
-- Order-independent (macros/threads.sql): its sums are of whole dollars and whole shares (VALUE and
-- SSHPRNAMT are BIGINT in raw.sec13f_infotable, as the parsers require; VALUE times 1 or 1000),
-- exact in a double below 2^53 whatever the order; the rest are counts, max and bool_or. At the real-size quarter of
-- bench/chain_scale.py, 2.4 s (its ORDER BY included) against 3.0 s on one thread.
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='period_of_report', on_schema_change='append_new_columns',
          meta={'order_independent': true}) }}
{%- set inputs = ref('int_holdings__quarter_inputs') -%}
with lines as (
    select f.cik, f.period_of_report, f.filing_manager_name, f.filing_role, i.*
    from {{ quarters_to_build(ref('int_holdings__effective_filings'), inputs, 'period_of_report') }} as f
    join {{ ref('int_holdings__infotable_in_usd') }} as i on i.accession_number = f.accession_number
    where not i.is_option
),

names as (
    select cik, period_of_report, max(filing_manager_name) as filer_name
    from {{ quarters_to_build(ref('int_holdings__effective_filings'), inputs, 'period_of_report') }}
    where filing_role = 'base'
    group by cik, period_of_report
)

select
    l.cik,
    l.period_of_report,
    l.cusip,
    max(n.filer_name) as filer_name,
    max(l.name_of_issuer) as issuer_name,
    sum(l.value_usd) as value_usd,
    sum(l.value_usd) / 1e9 as holding_bn,
    sum(l.shares_or_principal) as shares_or_principal,
    count(*) as lines,
    bool_or(l.source_mode = 'scenario') as is_synthetic
from lines as l
left join names as n on n.cik = l.cik and n.period_of_report = l.period_of_report
group by l.cik, l.period_of_report, l.cusip
order by l.cik, l.period_of_report, l.cusip
