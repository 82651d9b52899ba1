-- Net sales per filer, security and quarter from the change in reported shares, valued at the
-- previous quarter end's price per share: the filer's own (its position's value / shares), else,
-- for a position opened this quarter, the security's reference price at the previous quarter end
-- (int_holdings__reference_prices); a new position in a security nobody reported then has no price
-- and counts 0. A filer's implied flow is its net buying as a share of last quarter's 13F value;
-- filers are ranked into deciles of it each quarter (decile 1 = strongest outflows). Only filers
-- that reported in both quarters.
-- Nothing here reads this quarter's prices: only share counts change between the two quarters, so
-- realised pressure is not built from the returns of the quarter it is compared with (Wardlaw's
-- critique of flow-pressure measures; docs/scores.md, tests/dbt/test_realised_pressure_sql.py).
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='period_of_report', on_schema_change='append_new_columns') }}
{%- set inputs = ref('int_holdings__quarter_inputs') -%}
with positions as (
    select cik, period_of_report, cusip, value_usd, shares_or_principal as shares,
           value_usd / nullif(shares_or_principal, 0) as price_usd
    from {{ quarters_to_build(ref('int_holdings__positions'), inputs, 'period_of_report', previous=true) }}
),

periods as (
    select distinct cik, period_of_report from positions
),

pairs as (
    select cur.cik, cur.period_of_report, prev.period_of_report as previous_period
    from periods as cur
    join periods as prev
        on prev.cik = cur.cik and prev.period_of_report = {{ previous_quarter_end('cur.period_of_report') }}
),

current_rows as (
    select p.cik, p.period_of_report, p.previous_period, c.cusip, c.shares
    from pairs as p
    join positions as c on c.cik = p.cik and c.period_of_report = p.period_of_report
),

previous_rows as (
    select p.cik, p.period_of_report, p.previous_period, b.cusip, b.shares, b.price_usd, b.value_usd
    from pairs as p
    join positions as b on b.cik = p.cik and b.period_of_report = p.previous_period
),

changes as (
    select
        coalesce(c.cik, b.cik) as cik,
        coalesce(c.period_of_report, b.period_of_report) as period_of_report,
        coalesce(c.previous_period, b.previous_period) as previous_period,
        coalesce(c.cusip, b.cusip) as cusip,
        coalesce(b.shares, 0) - coalesce(c.shares, 0) as shares_sold,
        b.price_usd as own_previous_price_usd,
        coalesce(b.value_usd, 0) as previous_value_usd
    from current_rows as c
    full outer join previous_rows as b
        on b.cik = c.cik and b.period_of_report = c.period_of_report and b.cusip = c.cusip
),

valued as (
    select
        x.cik, x.period_of_report, x.cusip, x.previous_value_usd,
        x.shares_sold * coalesce(x.own_previous_price_usd, r.reference_price_usd, 0) as net_sales_usd
    from changes as x
    left join {{ ref('int_holdings__reference_prices') }} as r
        on r.period_of_report = x.previous_period and r.cusip = x.cusip
),

flows as (
    select cik, period_of_report,
           -sum(net_sales_usd) / nullif(sum(previous_value_usd), 0) as implied_flow_share
    from valued
    group by cik, period_of_report
),

deciles as (
    select cik, period_of_report, implied_flow_share,
           ntile(10) over (partition by period_of_report order by implied_flow_share, cik) as flow_decile
    from flows
)

select
    v.cik, v.period_of_report, v.cusip,
    v.net_sales_usd / 1e9 as net_sales_bn,
    d.implied_flow_share,
    d.flow_decile
from valued as v
join deciles as d on d.cik = v.cik and d.period_of_report = v.period_of_report
