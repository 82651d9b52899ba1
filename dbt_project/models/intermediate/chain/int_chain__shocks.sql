-- What each funder must raise in a quarter: the standard shock var('chain_shock_pct') of its 13F
-- holdings, every quarter (so the score is defined in each), plus its capital calls dated in the
-- quarter (seed), never more than its holdings.
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='quarter_end', on_schema_change='append_new_columns') }}
{%- set inputs = ref('int_chain__quarter_inputs') -%}
with funders as (
    select e.quarter_end, e.cik, h.holder_id, max(e.aum_bn) as aum_bn
    from {{ quarters_to_build(ref('int_chain__exposures'), inputs) }} as e
    join {{ ref('int_holdings__holder_types') }} as h on h.cik = e.cik
    where e.holder_type = 'funder'
    group by e.quarter_end, e.cik, h.holder_id
),

calls as (
    select holder_id, {{ quarter_end('call_date') }} as quarter_end, sum(cast(amount_bn as double)) as capital_call_bn
    from {{ ref('capital_calls') }}
    group by holder_id, {{ quarter_end('call_date') }}
)

select
    f.quarter_end,
    f.cik,
    f.holder_id,
    f.aum_bn,
    cast({{ var('chain_shock_pct') }} as double) as shock_pct,
    {{ var('chain_shock_pct') }} / 100.0 * f.aum_bn as standard_shock_bn,
    coalesce(c.capital_call_bn, 0) as capital_call_bn,
    least(f.aum_bn, {{ var('chain_shock_pct') }} / 100.0 * f.aum_bn + coalesce(c.capital_call_bn, 0)) as required_bn
from funders as f
left join calls as c on c.holder_id = f.holder_id and c.quarter_end = f.quarter_end
