{#- The fire-sale rounds of int_chain__rounds, for every scenario of int_chain__scenarios at once
    (docs/scores.md, "Bands and inverse stress"): one row per scenario and quarter with the first
    round's and all rounds' sales, the losses of all 13F holders and the amplification.
    Set-based and unrolled by a Jinja loop over var('chain_rounds'), as the rounds are. Two things
    keep it to the rows that move:
    - round 1 (funders selling what the shock requires) depends only on the shock, so it is
      computed once per shock level, not per draw;
    - a hedge fund sells pro rata to its holdings, so its state is one number per scenario: the
      share of its holdings sold so far (capping that share at 1 is the same as capping each sale
      at what is left of the position), and sales per asset are that share times its holdings.
    Every holder's loss in a round is the asset's total 13F holding times its price change.
    Its cost at bench/chain_scale.py's real-size quarter (251 scenarios, 582k hedge-fund positions):
    ~36 s, 27 of them in the hash aggregations of flows_2, flows_3 and losses_1/2, each over a join
    of up to 146M rows. The order in which an aggregation hands on its groups is the order of the
    later sums over them, so any faster aggregation (by perfect hash on a numeric asset id: 30 s)
    changes the last bits of the outcomes (flows_2 alone in another order: 241 of 251 rows, up to
    4e-15 relative): it is left as it is, so that its results stay what they were, bit for bit.
    Tried and not taken (2026-12-04, bench/chain_scale.py --fractions 1, one run each): every sum
    exact (each term a DECIMAL(38, 18), added as 128-bit integers: the same bits on any number of
    threads) and this model alone on both cores, through a pre- and post-hook. 31.6 -> 23.3 s, but
    the quarter's peak memory 1,885 -> 2,378 MiB, past its 2 GiB target (each thread its own hash
    tables), and at scale 1 it saved ~1.5 s of a full build. -#}
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='quarter_end', on_schema_change='append_new_columns') }}
{%- set inputs = ref('int_chain__quarter_inputs') -%}
{%- set rounds = var('chain_rounds') | int -%}
{#- read straight from the tables each time: a CTE named twice is materialized -#}
{%- set exposures = quarters_to_build(ref('int_chain__exposures'), inputs) -%}
{%- set scenarios = ref('int_chain__scenarios') -%}
with assets as (
    {{ chain_assets(exposures) }}
),

shock_levels as (
    select distinct shock_pct from {{ scenarios }}
),

required as (
    select s.quarter_end, s.cik, l.shock_pct,
           least(s.aum_bn, l.shock_pct / 100.0 * s.aum_bn + s.capital_call_bn) as required_bn
    from {{ quarters_to_build(ref('int_chain__shocks'), inputs) }} as s
    cross join shock_levels as l
),

weights as (
    select e.quarter_end, e.cik, sum(e.sale_weight) as weight_total
    from {{ exposures }} as e
    join (select distinct quarter_end, cik from required) as r on r.quarter_end = e.quarter_end and r.cik = e.cik
    group by e.quarter_end, e.cik
),

first_sales as (
    select
        e.quarter_end, r.shock_pct, e.cusip,
        sum(case when w.weight_total > 0
                 then least(e.holding_bn, r.required_bn * e.sale_weight / w.weight_total)
                 else 0 end) as sales_bn
    from {{ exposures }} as e
    join required as r on r.quarter_end = e.quarter_end and r.cik = e.cik
    join weights as w on w.quarter_end = e.quarter_end and w.cik = e.cik
    where r.required_bn > 0
    group by e.quarter_end, r.shock_pct, e.cusip
),

hedge_positions as (
    select quarter_end, cik, cusip, holding_bn
    from {{ exposures }}
    where holder_type = 'hedge_fund' and aum_bn > 0
),

hedge_funds as (
    select quarter_end, cik, max(aum_bn) as aum_bn
    from {{ exposures }}
    where holder_type = 'hedge_fund' and aum_bn > 0
    group by quarter_end, cik
),

flows_1 as (
    select s.scenario_id, f.quarter_end, f.cusip, f.sales_bn
    from {{ scenarios }} as s
    join first_sales as f on f.shock_pct = s.shock_pct
),
{% for n in range(1, rounds + 1) %}
prices_{{ n }} as (
    select
        f.scenario_id, f.quarter_end, f.cusip, f.sales_bn, a.asset_holding_bn,
        -least({{ var('chain_price_impact_cap') }}, s.kappa_scale * a.price_impact_per_bn * f.sales_bn) as price_change
    from flows_{{ n }} as f
    join assets as a on a.quarter_end = f.quarter_end and a.cusip = f.cusip
    join {{ scenarios }} as s on s.scenario_id = f.scenario_id
),
{% if n < rounds %}
losses_{{ n }} as (
    select p.scenario_id, h.quarter_end, h.cik, sum(h.holding_bn * p.price_change) as loss_bn
    from hedge_positions as h
    join prices_{{ n }} as p on p.quarter_end = h.quarter_end and p.cusip = h.cusip
    group by p.scenario_id, h.quarter_end, h.cik
),

sold_{{ n + 1 }} as (
    select
        x.scenario_id, x.quarter_end, x.cik,
        x.sold_before_share + x.sale_share as sold_share,
        x.sale_share
    from (
        select
            {%- if n == 1 %}
            l.scenario_id, l.quarter_end, l.cik,
            cast(0 as double) as sold_before_share,
            least(1.0, s.redemption_beta * greatest(0, -l.loss_bn) * s.leverage_hedge_fund / h.aum_bn) as sale_share
        from losses_{{ n }} as l
            {%- else %}
            coalesce(l.scenario_id, b.scenario_id) as scenario_id,
            coalesce(l.quarter_end, b.quarter_end) as quarter_end,
            coalesce(l.cik, b.cik) as cik,
            coalesce(b.sold_share, 0) as sold_before_share,
            greatest(0, least(1.0 - coalesce(b.sold_share, 0),
                s.redemption_beta * greatest(0, -coalesce(l.loss_bn, 0)) * s.leverage_hedge_fund / h.aum_bn)) as sale_share
        from losses_{{ n }} as l
        full outer join sold_{{ n }} as b
            on b.scenario_id = l.scenario_id and b.quarter_end = l.quarter_end and b.cik = l.cik
            {%- endif %}
        join {{ scenarios }} as s on s.scenario_id = {{ 'l.scenario_id' if n == 1 else 'coalesce(l.scenario_id, b.scenario_id)' }}
        join hedge_funds as h
            on h.quarter_end = {{ 'l.quarter_end' if n == 1 else 'coalesce(l.quarter_end, b.quarter_end)' }}
           and h.cik = {{ 'l.cik' if n == 1 else 'coalesce(l.cik, b.cik)' }}
    ) as x
),

flows_{{ n + 1 }} as (
    select x.scenario_id, h.quarter_end, h.cusip, sum(x.sale_share * h.holding_bn) as sales_bn
    from sold_{{ n + 1 }} as x
    join hedge_positions as h on h.quarter_end = x.quarter_end and h.cik = x.cik
    where x.sale_share > 0
    group by x.scenario_id, h.quarter_end, h.cusip
),
{% endif %}
{% endfor %}
by_round as (
{% for n in range(1, rounds + 1) %}
    select scenario_id, quarter_end, {{ n }} as round_no, sum(sales_bn) as sales_bn,
           sum(asset_holding_bn * price_change) as loss_bn
    from prices_{{ n }}
    group by scenario_id, quarter_end
    {% if not loop.last %}union all{% endif %}
{% endfor %}
),

totals as (
    select
        scenario_id, quarter_end,
        sum(case when round_no = 1 then sales_bn else 0 end) as first_round_sales_bn,
        sum(sales_bn) as total_forced_sales_bn,
        sum(loss_bn) as total_loss_bn
    from by_round
    group by scenario_id, quarter_end
),

quarters as (
    select distinct quarter_end from {{ exposures }}
)

select
    s.scenario_id,
    s.scenario_kind,
    q.quarter_end,
    s.shock_pct,
    s.leverage_hedge_fund,
    s.redemption_beta,
    s.kappa_scale,
    coalesce(t.first_round_sales_bn, 0) as first_round_sales_bn,
    coalesce(t.total_forced_sales_bn, 0) as total_forced_sales_bn,
    coalesce(t.total_loss_bn, 0) as total_loss_bn,
    case when coalesce(t.first_round_sales_bn, 0) > 0
         then t.total_forced_sales_bn / t.first_round_sales_bn else 1.0 end as amplification
from {{ scenarios }} as s
cross join quarters as q
left join totals as t on t.scenario_id = s.scenario_id and t.quarter_end = q.quarter_end
