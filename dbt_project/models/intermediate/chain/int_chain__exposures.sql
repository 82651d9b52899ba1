-- The chain's inputs per quarter, holder and asset (docs/scores.md): holdings h_jk in $bn,
-- AUM_j = sum of the holder's 13F positions, holder type and leverage b_j, asset group and
-- speculativeness spec_k from the security map (int_securities__asset_groups; 'unmapped' keeps the
-- default weight and stays in every total),
-- the 90-day return, price impact per $bn sold l_k (kappa * sigma / ADV from prices, else
-- kappa' / total 13F value of the asset), and the sale weight funders use:
-- h_jk * (1 + spec_k) * (1 + max(0, -90-day return_k)).
-- Order-independent (macros/threads.sql): the totals add whole dollars (value_usd), exact in a
-- double below 2^53 whatever the order, and are then put in $bn; the rest is row by row.
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='quarter_end', on_schema_change='append_new_columns',
          meta={'order_independent': true}) }}
{%- set inputs = ref('int_chain__quarter_inputs') -%}
with positions as (
    select cik, period_of_report as quarter_end, cusip, value_usd, holding_bn, is_synthetic
    from {{ quarters_to_build(ref('int_holdings__positions'), inputs, 'period_of_report') }}
    where holding_bn > 0
),

asset_totals as (
    select quarter_end, cusip, sum(value_usd) / 1e9 as total_13f_bn
    from positions
    group by quarter_end, cusip
),

holder_aum as (
    select quarter_end, cik, sum(value_usd) / 1e9 as aum_bn
    from positions
    group by quarter_end, cik
)

select
    p.quarter_end,
    p.cik,
    p.cusip,
    h.holder_type,
    h.leverage,
    p.holding_bn,
    a.aum_bn,
    coalesce(g.asset_group, 'unmapped') as asset_group,
    coalesce(g.spec_weight, {{ var('chain_spec_weight_default') }}) as spec_weight,
    coalesce(l.return_90d_pct, 0) as return_90d_pct,
    coalesce(l.price_impact_per_bn, {{ var('chain_price_impact_kappa_fallback') }} / x.total_13f_bn) as price_impact_per_bn,
    l.price_impact_per_bn is not null as impact_from_prices,
    p.holding_bn
        * (1 + coalesce(g.spec_weight, {{ var('chain_spec_weight_default') }}))
        * (1 + greatest(0, -coalesce(l.return_90d_pct, 0) / 100)) as sale_weight,
    p.is_synthetic
from positions as p
join holder_aum as a on a.quarter_end = p.quarter_end and a.cik = p.cik
join asset_totals as x on x.quarter_end = p.quarter_end and x.cusip = p.cusip
join {{ ref('int_holdings__holder_types') }} as h on h.cik = p.cik
left join {{ ref('int_securities__asset_groups') }} as g on g.cusip = p.cusip
left join {{ ref('int_prices__liquidity') }} as l on l.cusip = p.cusip and l.quarter_end = p.quarter_end
order by p.quarter_end, p.cik, p.cusip
