-- The chain's uncertainty and its breaking point per quarter (docs/scores.md, "Bands and inverse
-- stress"): p10/p50/p90 of amplification and of the losses of all 13F holders over the draws of
-- hedge-fund leverage, redemption beta and price impact (int_chain__scenarios), and the smallest
-- funder shock on the grid whose amplification exceeds var('chain_stress_amplification_threshold')
-- (null when no shock up to var('chain_stress_shock_max_pct') does; amplification is not monotone
-- in the shock once price caps bind, so this is the first crossing, not a unique one), and the
-- smallest shock whose fire-sale loss exceeds var('chain_stress_loss_share_of_aum_pct') of 13F AUM.
-- Below the caps every sale, loss and redemption is proportional to the shock, so amplification
-- hardly depends on it: it is past its threshold at any shock or at none, and the loss threshold
-- is the breaking point that moves.
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='quarter_end', on_schema_change='append_new_columns') }}
{%- set inputs = ref('int_chain__quarter_inputs') -%}
with outcomes as (
    select * from {{ quarters_to_build(ref('int_chain__scenario_outcomes'), inputs) }}
),

bands as (
    select
        quarter_end,
        count(*) as draws,
        {{ percentile('amplification', 0.1) }} as amplification_p10,
        {{ percentile('amplification', 0.5) }} as amplification_p50,
        {{ percentile('amplification', 0.9) }} as amplification_p90,
        {{ percentile('total_loss_bn', 0.1) }} as total_loss_p10_bn,
        {{ percentile('total_loss_bn', 0.5) }} as total_loss_p50_bn,
        {{ percentile('total_loss_bn', 0.9) }} as total_loss_p90_bn
    from outcomes
    where scenario_kind = 'draw'
    group by quarter_end
),

quarters as (
    select quarter_end, sum(holding_bn) as aum_13f_bn, bool_or(is_synthetic) as is_synthetic
    from {{ quarters_to_build(ref('int_chain__exposures'), inputs) }}
    group by quarter_end
),

stress as (
    select
        o.quarter_end,
        min(case when o.amplification > {{ var('chain_stress_amplification_threshold') }} then o.shock_pct end) as breaking_shock_pct,
        min(case when -100 * o.total_loss_bn / nullif(q.aum_13f_bn, 0) > {{ var('chain_stress_loss_share_of_aum_pct') }}
                 then o.shock_pct end) as loss_breaking_shock_pct,
        max(o.shock_pct) as largest_shock_tried_pct
    from outcomes as o
    join quarters as q on q.quarter_end = o.quarter_end
    where o.scenario_kind = 'stress'
    group by o.quarter_end
)

select
    q.quarter_end,
    cast(b.draws as integer) as draws,
    cast(b.amplification_p10 as double) as amplification_p10,
    cast(b.amplification_p50 as double) as amplification_p50,
    cast(b.amplification_p90 as double) as amplification_p90,
    {{ to_usd_bn('b.total_loss_p10_bn', 'usd_bn') }} as total_loss_p10_bn,
    {{ to_usd_bn('b.total_loss_p50_bn', 'usd_bn') }} as total_loss_p50_bn,
    {{ to_usd_bn('b.total_loss_p90_bn', 'usd_bn') }} as total_loss_p90_bn,
    cast({{ var('chain_stress_amplification_threshold') }} as double) as stress_amplification_threshold,
    cast(s.breaking_shock_pct as double) as breaking_shock_pct,
    cast({{ var('chain_stress_loss_share_of_aum_pct') }} as double) as stress_loss_threshold_pct,
    cast(s.loss_breaking_shock_pct as double) as loss_breaking_shock_pct,
    cast(s.largest_shock_tried_pct as double) as largest_shock_tried_pct,
    cast(q.is_synthetic as boolean) as is_synthetic
from quarters as q
left join bands as b on b.quarter_end = q.quarter_end
left join stress as s on s.quarter_end = q.quarter_end
