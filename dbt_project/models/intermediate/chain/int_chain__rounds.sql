{#- The fire-sale rounds (docs/scores.md), set-based and unrolled by a Jinja loop over
    var('chain_rounds') (no recursive CTE, so dbt unit tests can run it).
    Round 1: funders sell what they must raise, by sale weight, never more than a position.
    Each round n: forced sales phi_k = sum of sales; price change dp_k = -min(cap, l_k * phi_k);
    losses L_j = sum_k h_jk * dp_k; hedge funds face redemptions R_j = beta * max(0, -L_j) and sell
    R_j * b_j * h_jk / AUM_j in the next round, capped by what they still hold.
    One row per quarter, round, holder and asset that was sold or whose price moved.

    Only what can sell is carried from round to round: sales_n holds the positions that may sell
    in round n (shocked holders' in round 1, hedge funds' after), prices_n the assets with sales
    (no other asset moves), losses_n the hedge funds' losses (nobody else sells again). Every
    position meets the rounds once, in the final join, so the cost grows with the positions. -#}
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='quarter_end', on_schema_change='append_new_columns') }}
{%- set inputs = ref('int_chain__quarter_inputs') -%}
{%- set rounds = var('chain_rounds') | int -%}
{#- read straight from the table each time: a CTE named twice is materialized, a copy of every position -#}
{%- set exposures = quarters_to_build(ref('int_chain__exposures'), inputs) -%}
with assets as (
    {{ chain_assets(exposures) }}
),

shocked as (
    select e.quarter_end, e.cik, e.cusip, e.holder_type, e.holding_bn, e.sale_weight, s.required_bn
    from {{ exposures }} as e
    join {{ quarters_to_build(ref('int_chain__shocks'), inputs) }} as s on s.quarter_end = e.quarter_end and s.cik = e.cik
    where s.required_bn > 0
),

weights as (
    select quarter_end, cik, sum(sale_weight) as weight_total
    from shocked
    group by quarter_end, cik
),

sales_1 as (
    select
        s.quarter_end, s.cik, s.cusip, s.holder_type, s.holding_bn,
        cast(0 as double) as sold_before_bn,
        case when w.weight_total > 0
             then least(s.holding_bn, s.required_bn * s.sale_weight / w.weight_total)
             else cast(0 as double) end as sale_bn
    from shocked as s
    join weights as w on w.quarter_end = s.quarter_end and w.cik = s.cik
),

hedge_funds as (
    select
        e.quarter_end, e.cik, e.cusip, e.holder_type, e.leverage, e.holding_bn, e.aum_bn,
        coalesce(s.sold_before_bn, 0) as sold_before_bn,
        coalesce(s.sale_bn, 0) as sale_bn
    from {{ exposures }} as e
    left join sales_1 as s on s.quarter_end = e.quarter_end and s.cik = e.cik and s.cusip = e.cusip
    where e.holder_type = 'hedge_fund' and e.aum_bn > 0
),
{% for n in range(1, rounds + 1) %}
prices_{{ n }} as (
    select
        a.quarter_end, a.cusip, x.asset_sales_bn, a.asset_holding_bn,
        -least({{ var('chain_price_impact_cap') }}, a.price_impact_per_bn * x.asset_sales_bn) as price_change
    from (
        select quarter_end, cusip, sum(sale_bn) as asset_sales_bn
        from sales_{{ n }}
        group by quarter_end, cusip
    ) as x
    join assets as a on a.quarter_end = x.quarter_end and a.cusip = x.cusip
),
{% if n < rounds %}
{%- set hedge_state = 'hedge_funds' if n == 1 else 'sales_' ~ n %}
losses_{{ n }} as (
    select h.quarter_end, h.cik, sum(h.holding_bn * p.price_change) as loss_bn
    from {{ hedge_state }} as h
    join prices_{{ n }} as p on p.quarter_end = h.quarter_end and p.cusip = h.cusip
    group by h.quarter_end, h.cik
),

sales_{{ n + 1 }} as (
    select
        h.quarter_end, h.cik, h.cusip, h.holder_type, h.leverage, h.holding_bn, h.aum_bn,
        h.sold_before_bn + h.sale_bn as sold_before_bn,
        greatest(0, least(
            h.holding_bn - h.sold_before_bn - h.sale_bn,
            {{ var('chain_redemption_beta') }} * greatest(0, -coalesce(l.loss_bn, 0)) * h.leverage * h.holding_bn / h.aum_bn)) as sale_bn
    from {{ hedge_state }} as h
    left join losses_{{ n }} as l on l.quarter_end = h.quarter_end and l.cik = h.cik
),
{% endif %}
{% endfor %}
all_rounds as (
{% for n in range(1, rounds + 1) %}
    -- the positions that could sell in this round, with their sales
    select
        {{ n }} as round_no, s.quarter_end, s.cik, s.cusip, s.holder_type, s.holding_bn, s.sale_bn,
        p.price_change, p.asset_sales_bn, p.asset_holding_bn,
        s.holding_bn * p.price_change as loss_bn
    from sales_{{ n }} as s
    join prices_{{ n }} as p on p.quarter_end = s.quarter_end and p.cusip = s.cusip
    where s.sale_bn > 0 or p.price_change < 0

    union all

    -- every other position in an asset whose price moved
    select
        {{ n }} as round_no, e.quarter_end, e.cik, e.cusip, e.holder_type, e.holding_bn, cast(0 as double) as sale_bn,
        p.price_change, p.asset_sales_bn, p.asset_holding_bn,
        e.holding_bn * p.price_change as loss_bn
    from {{ exposures }} as e
    join prices_{{ n }} as p on p.quarter_end = e.quarter_end and p.cusip = e.cusip
    {%- if n == 1 %}
    left join weights as w on w.quarter_end = e.quarter_end and w.cik = e.cik
    where p.price_change < 0 and w.cik is null
    {%- else %}
    where p.price_change < 0 and not coalesce(e.holder_type = 'hedge_fund' and e.aum_bn > 0, false)
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
)

select * from all_rounds
