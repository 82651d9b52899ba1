{#- The fire-sale rounds (DESIGN.md section 4), set-based and unrolled by a Jinja loop over
    var('chain_rounds') (no recursive CTE, so dbt unit tests can run it).
    Round 1: funders sell what they must raise, by sale weight, never more than a position.
    Each round n: forced sales phi_k = sum of sales; price change dp_k = -min(cap, l_k * phi_k);
    losses L_j = sum_k h_jk * dp_k; hedge funds face redemptions R_j = beta * max(0, -L_j) and sell
    R_j * b_j * h_jk / AUM_j in the next round, capped by what they still hold.
    One row per quarter, round, holder and asset that was sold or whose price moved. -#}
{%- set rounds = var('chain_rounds') | int -%}
with exposures as (
    select quarter_end, cik, cusip, holder_type, leverage, holding_bn, aum_bn, price_impact_per_bn, sale_weight
    from {{ ref('int_chain__exposures') }}
),

weights as (
    select quarter_end, cik, sum(sale_weight) as weight_total
    from exposures
    group by quarter_end, cik
),

state_1 as (
    select
        e.*,
        cast(0 as double) as sold_before_bn,
        case when s.required_bn > 0 and w.weight_total > 0
             then least(e.holding_bn, s.required_bn * e.sale_weight / w.weight_total)
             else cast(0 as double) end as sale_bn
    from exposures as e
    left join {{ ref('int_chain__shocks') }} as s on s.quarter_end = e.quarter_end and s.cik = e.cik
    left join weights as w on w.quarter_end = e.quarter_end and w.cik = e.cik
),
{% for n in range(1, rounds + 1) %}
prices_{{ n }} as (
    select
        quarter_end, cusip,
        sum(sale_bn) as asset_sales_bn,
        sum(holding_bn) as asset_holding_bn,
        -least({{ var('chain_price_impact_cap') }}, max(price_impact_per_bn) * sum(sale_bn)) as price_change
    from state_{{ n }}
    group by quarter_end, cusip
),

losses_{{ n }} as (
    select s.quarter_end, s.cik, sum(s.holding_bn * p.price_change) as loss_bn
    from state_{{ n }} as s
    join prices_{{ n }} as p on p.quarter_end = s.quarter_end and p.cusip = s.cusip
    group by s.quarter_end, s.cik
),
{% if n < rounds %}
state_{{ n + 1 }} as (
    select
        s.quarter_end, s.cik, s.cusip, s.holder_type, s.leverage, s.holding_bn, s.aum_bn,
        s.price_impact_per_bn, s.sale_weight,
        s.sold_before_bn + s.sale_bn as sold_before_bn,
        case when s.holder_type = 'hedge_fund' and s.aum_bn > 0
             then greatest(0, least(
                 s.holding_bn - s.sold_before_bn - s.sale_bn,
                 {{ var('chain_redemption_beta') }} * greatest(0, -l.loss_bn) * s.leverage * s.holding_bn / s.aum_bn))
             else cast(0 as double) end as sale_bn
    from state_{{ n }} as s
    join losses_{{ n }} as l on l.quarter_end = s.quarter_end and l.cik = s.cik
),
{% endif %}
{% endfor %}
all_rounds as (
{% for n in range(1, rounds + 1) %}
    select
        {{ n }} as round_no, s.quarter_end, s.cik, s.cusip, s.holder_type, s.holding_bn, s.sale_bn,
        p.price_change, p.asset_sales_bn, p.asset_holding_bn,
        s.holding_bn * p.price_change as loss_bn
    from state_{{ n }} as s
    join prices_{{ n }} as p on p.quarter_end = s.quarter_end and p.cusip = s.cusip
    where s.sale_bn > 0 or p.price_change < 0
    {% if not loop.last %}union all{% endif %}
{% endfor %}
)

select * from all_rounds
