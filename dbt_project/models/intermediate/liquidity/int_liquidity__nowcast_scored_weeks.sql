-- Each Wednesday with an H.4.1, the nowcast of marts.fct_liquidity_daily against it, at two
-- horizons (docs/nowcast.md):
--   same_day             the Wednesday's own nowcast (its TGA and ON RRP, the H.4.1 of the week
--                        before): the method's error after a whole week;
--   business_day_before  the nowcast of the business day before (usually the Tuesday): what a
--                        reader has before the H.4.1, since the DTS of a day comes out the next
--                        business day afternoon, half an hour before Thursday's H.4.1.
-- Net liquidity and Fed assets are Wednesday levels: the nowcast of that day is compared with the
-- level. Reserves (WRESBAL) are the week's average: the nowcast compared with it is the average
-- over the week's seven calendar days of the daily nowcast from the week before's H.4.1, each day
-- at its last business day up to the horizon's day (later days carry that one, as weekends do).
with

daily as (
    select * from {{ ref('fct_liquidity_daily') }}
),

observed as (
    select week_ending, net_liquidity_bn, reserves_bn, is_synthetic
    from daily
    where not is_nowcast
),

horizons as (
    select
        observed.week_ending,
        'same_day' as horizon,
        observed.week_ending as nowcast_date
    from observed
    union all
    select
        observed.week_ending,
        'business_day_before' as horizon,
        (select max(business_date) from daily
         where daily.business_date < observed.week_ending
           and daily.business_date > observed.week_ending - 7) as nowcast_date
    from observed
),

-- the seven calendar days of each scored week, each at the last business day up to it and up to
-- the horizon's day (a holiday Thursday at the Wednesday before, as the H.4.1 counts it)
week_days as (
    select
        horizons.week_ending,
        horizons.horizon,
        least(cast(horizons.week_ending - cast(offset_days as integer) as date), horizons.nowcast_date) as as_of_date
    from horizons, unnest(generate_series(0, 6)) as offsets(offset_days)
    where horizons.nowcast_date is not null
),

week_days_carried as (
    select week_days.week_ending, week_days.horizon, daily.business_date, daily.tga_bn, daily.on_rrp_bn
    from week_days
    asof left join daily on week_days.as_of_date >= daily.business_date
),

-- each day's reserves from the H.4.1 of the week before (the scored Wednesday's basis)
reserves_week as (
    select
        carried.week_ending,
        carried.horizon,
        case when count(carried.business_date) = 7 then avg({{ reserves_nowcast(
            'basis.h41_reserves_bn', 'basis.assets_drift_weekly_bn', 'carried.business_date - basis.h41_week_ending',
            'carried.tga_bn', 'basis.h41_tga_week_average_bn', 'carried.on_rrp_bn', 'basis.h41_on_rrp_week_average_bn') }})
        end as reserves_nowcast_bn
    from week_days_carried as carried
    inner join daily as basis on basis.business_date = carried.week_ending
    where carried.business_date >= basis.h41_week_ending
    group by carried.week_ending, carried.horizon
)

select
    horizons.week_ending,
    horizons.horizon,
    horizons.nowcast_date,
    nowcast_row.net_liquidity_nowcast_bn,
    observed.net_liquidity_bn,
    nowcast_row.net_liquidity_nowcast_bn - observed.net_liquidity_bn as net_liquidity_error_bn,
    reserves_week.reserves_nowcast_bn,
    observed.reserves_bn,
    reserves_week.reserves_nowcast_bn - observed.reserves_bn as reserves_error_bn,
    observed.is_synthetic
from horizons
inner join observed on horizons.week_ending = observed.week_ending
inner join daily as nowcast_row on nowcast_row.business_date = horizons.nowcast_date
left join reserves_week
    on reserves_week.week_ending = horizons.week_ending and reserves_week.horizon = horizons.horizon
where nowcast_row.fed_total_assets_nowcast_bn is not null  -- a Wednesday with no H.4.1 in the week before is not scored
