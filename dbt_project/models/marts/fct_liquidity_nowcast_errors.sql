-- How far the daily nowcast of marts.fct_liquidity_daily was from the H.4.1 that followed it: per
-- horizon (same_day, business_day_before; int_liquidity__nowcast_scored_weeks) and per calendar
-- year of the scored Wednesday, and over all of them ('all'), the median and 90th percentile
-- (quantile_cont) of the absolute error for net liquidity and for reserves, and the mean error
-- (its bias: positive = the nowcast was too high). The targets (vars nowcast_target_median_bn,
-- nowcast_target_p90_bn) are the issue's for net liquidity.
with

scored as (
    select *, cast(year(week_ending) as varchar) as period
    from {{ ref('int_liquidity__nowcast_scored_weeks') }}
),

periods as (
    select * from scored
    union all
    select * replace ('all' as period) from scored
),

errors as (
    select
        horizon,
        period,
        min(week_ending) as first_week,
        max(week_ending) as last_week,
        count(net_liquidity_error_bn) as weeks_scored,
        median(abs(net_liquidity_error_bn)) as net_liquidity_abs_error_median_bn,
        quantile_cont(abs(net_liquidity_error_bn), 0.9) as net_liquidity_abs_error_p90_bn,
        avg(net_liquidity_error_bn) as net_liquidity_error_mean_bn,
        count(reserves_error_bn) as reserves_weeks_scored,
        median(abs(reserves_error_bn)) as reserves_abs_error_median_bn,
        quantile_cont(abs(reserves_error_bn), 0.9) as reserves_abs_error_p90_bn,
        avg(reserves_error_bn) as reserves_error_mean_bn,
        bool_or(is_synthetic) as is_synthetic
    from periods
    group by horizon, period
)

select
    cast(horizon as varchar) as horizon,
    cast(period as varchar) as period,
    first_week,
    last_week,
    cast(weeks_scored as integer) as weeks_scored,
    cast(net_liquidity_abs_error_median_bn as decimal(18, 6)) as net_liquidity_abs_error_median_bn,
    cast(net_liquidity_abs_error_p90_bn as decimal(18, 6)) as net_liquidity_abs_error_p90_bn,
    cast(net_liquidity_error_mean_bn as decimal(18, 6)) as net_liquidity_error_mean_bn,
    net_liquidity_abs_error_median_bn <= {{ var('nowcast_target_median_bn') }}
        and net_liquidity_abs_error_p90_bn <= {{ var('nowcast_target_p90_bn') }} as net_liquidity_meets_target,
    cast(reserves_weeks_scored as integer) as reserves_weeks_scored,
    cast(reserves_abs_error_median_bn as decimal(18, 6)) as reserves_abs_error_median_bn,
    cast(reserves_abs_error_p90_bn as decimal(18, 6)) as reserves_abs_error_p90_bn,
    cast(reserves_error_mean_bn as decimal(18, 6)) as reserves_error_mean_bn,
    is_synthetic
from errors
