-- Put and call lines, kept apart from holdings: one row per filer, period, security and side.
-- For an option, SSHPRNAMT is the number of underlying shares; the notional is those shares times
-- the underlying's reference price at the period's end (int_holdings__reference_prices: the
-- median price per share the 13F filers report for it), null where no reference price is known.
-- value_usd is what the filer reported, which filers fill inconsistently for options (the
-- underlying's value, or the option's own), so it is kept beside the notional, not used for it.
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='period_of_report', on_schema_change='append_new_columns') }}
{%- set inputs = ref('int_holdings__quarter_inputs') -%}
with options as (
    select
        f.cik,
        f.period_of_report,
        i.cusip,
        i.put_call,
        sum(i.value_usd) as value_usd,
        sum(i.shares_or_principal) as shares_or_principal,
        count(*) as lines
    from {{ quarters_to_build(ref('int_holdings__effective_filings'), inputs, 'period_of_report') }} as f
    join {{ ref('int_holdings__infotable_in_usd') }} as i on i.accession_number = f.accession_number
    where i.is_option
    group by f.cik, f.period_of_report, i.cusip, i.put_call
)

select
    o.cik,
    o.period_of_report,
    o.cusip,
    o.put_call,
    o.value_usd,
    o.shares_or_principal,
    o.lines,
    r.reference_price_usd as underlying_price_usd,
    o.shares_or_principal * r.reference_price_usd as notional_usd,
    o.shares_or_principal * r.reference_price_usd / 1e9 as notional_bn
from options as o
left join {{ ref('int_holdings__reference_prices') }} as r
    on r.period_of_report = o.period_of_report and r.cusip = o.cusip
