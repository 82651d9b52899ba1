-- Holder systemicness per quarter, for every holder that sold in the chain: the losses its sales
-- cause other holders, sum over rounds and assets of (its share of the asset's forced sales) *
-- (-dp_k) * (the others' holdings of k), and its share of all such losses in the quarter.
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='quarter_end', on_schema_change='append_new_columns') }}
{%- set inputs = ref('int_chain__quarter_inputs') -%}
with sellers as (
    select
        quarter_end, cik, holder_type,
        sum(sale_bn) as forced_sales_bn,
        sum(case when round_no = 1 then sale_bn else 0 end) as shock_sales_bn,
        sum(sale_bn / asset_sales_bn * (-price_change) * (asset_holding_bn - holding_bn)) as losses_caused_to_others_bn
    from {{ quarters_to_build(ref('int_chain__rounds'), inputs) }}
    where sale_bn > 0
    group by quarter_end, cik, holder_type
),

own as (
    select quarter_end, cik, sum(loss_bn) as own_loss_bn
    from {{ quarters_to_build(ref('int_chain__rounds'), inputs) }}
    group by quarter_end, cik
),

holders as (
    select quarter_end, cik, max(aum_bn) as aum_bn, max(leverage) as leverage, bool_or(is_synthetic) as is_synthetic
    from {{ quarters_to_build(ref('int_chain__exposures'), inputs) }}
    group by quarter_end, cik
)

select
    s.quarter_end,
    cast(s.cik as bigint) as cik,
    cast(t.filer_name as varchar) as filer_name,
    cast(s.holder_type as varchar) as holder_type,
    {{ to_usd_bn('h.aum_bn', 'usd_bn') }} as aum_bn,
    cast(h.leverage as double) as leverage,
    {{ to_usd_bn('s.shock_sales_bn', 'usd_bn') }} as shock_sales_bn,
    {{ to_usd_bn('s.forced_sales_bn', 'usd_bn') }} as forced_sales_bn,
    {{ to_usd_bn('coalesce(o.own_loss_bn, 0)', 'usd_bn') }} as own_loss_bn,
    {{ to_usd_bn('s.losses_caused_to_others_bn', 'usd_bn') }} as losses_caused_to_others_bn,
    cast(100 * s.losses_caused_to_others_bn
         / nullif(sum(s.losses_caused_to_others_bn) over (partition by s.quarter_end), 0) as double) as systemicness_share_pct,
    cast(h.is_synthetic as boolean) as is_synthetic
from sellers as s
join holders as h on h.quarter_end = s.quarter_end and h.cik = s.cik
left join own as o on o.quarter_end = s.quarter_end and o.cik = s.cik
left join {{ ref('int_holdings__holder_types') }} as t on t.cik = s.cik
