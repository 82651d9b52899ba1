-- The essay's claims 4, 9 and 10 as a table: the spread of speculative over near-cash-flow returns
-- in the 13 weeks AFTER each week, grouped by the absorption regime known that week.
with

divergence as (
    select * from {{ ref('fct_divergence') }}
),

absorption as (
    select week_ending, regime from {{ ref('fct_capex_absorption') }}
),

forward as (
    select
        divergence.week_ending,
        absorption.regime,
        avg(divergence.spread_pp) over (
            order by divergence.week_ending rows between 1 following and 13 following
        ) as forward_13w_mean_spread_pp,
        count(divergence.spread_pp) over (
            order by divergence.week_ending rows between 1 following and 13 following
        ) as forward_weeks,
        divergence.is_synthetic
    from divergence
    inner join absorption on divergence.week_ending = absorption.week_ending
)

select
    regime,
    cast(count(*) as integer) as weeks,
    cast(avg(forward_13w_mean_spread_pp) as double) as mean_forward_13w_spread_pp,
    cast(min(forward_13w_mean_spread_pp) as double) as min_forward_13w_spread_pp,
    cast(max(forward_13w_mean_spread_pp) as double) as max_forward_13w_spread_pp,
    bool_or(is_synthetic) as is_synthetic
from forward
where regime is not null and forward_weeks = 13
group by regime
