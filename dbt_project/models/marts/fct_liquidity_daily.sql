-- The daily bathtub, one row per business day (docs/nowcast.md):
--   observed  the TGA close (Daily Treasury Statement) and ON RRP (FRED RRPONTSYD) of the day;
--   H.4.1     Fed total assets (WALCL, the Wednesday level) and reserves (WRESBAL, the week
--             average) come once a week; on a Wednesday whose H.4.1 is known they are its
--             figures, so the row equals the weekly bathtub's (tests/dbt/test_liquidity_daily_sql.py);
--   nowcast   on every other day, from the last H.4.1 of a Wednesday W0 before the day (at most
--             7 days before) and the daily flows since:
--               Fed assets_d = WALCL_W0 + drift * (d - W0) / 7, the drift being the mean weekly
--                 change of WALCL over the nowcast_assets_trend_weeks weeks up to W0 (carried
--                 flat until that many weeks exist);
--               reserves_d   = WRESBAL_W0 + drift * (d - W0 + 3) / 7
--                              - (TGA_d - TGA week average of W0) - (ON RRP_d - its week average of W0)
--                 (the macro reserves_nowcast says why; the week averages: int_funding__week_averages).
--   level and idle pool by the weekly bathtub's formulas (the macros net_liquidity and idle_pool).
-- The *_nowcast_bn columns keep the nowcast on Wednesdays too (what the day read before its
-- H.4.1), which int_liquidity__nowcast_scored_weeks scores. Only data dated up to the day enters a
-- nowcast: nothing is fitted, and the drift's window is a var chosen on WALCL of 2010-2019
-- (docs/nowcast.md). Rows run from the first to the last day with the TGA, ON RRP and Fed assets
-- known; a part missing inside is null, and null_reason says which.
{% set floor = var('reserve_floor_bn') %}
{% set trend_weeks = var('nowcast_assets_trend_weeks') %}
with

daily as (
    select * from {{ ref('int_funding__aligned_daily') }}
),

h41 as (
    select week_ending, fed_total_assets_bn, reserves_bn
    from {{ ref('int_funding__aligned_weekly') }}
    where fed_total_assets_bn is not null
),

week_averages as (
    select * from {{ ref('int_funding__week_averages') }}
),

-- what each H.4.1 gives the days after it
h41_basis as (
    select
        h41.week_ending as h41_week_ending,
        h41.fed_total_assets_bn as h41_fed_total_assets_bn,
        h41.reserves_bn as h41_reserves_bn,
        (h41.fed_total_assets_bn - earlier.fed_total_assets_bn) / {{ trend_weeks }} as assets_drift_weekly_bn,
        week_averages.tga_week_average_bn as h41_tga_week_average_bn,
        week_averages.on_rrp_week_average_bn as h41_on_rrp_week_average_bn
    from h41
    left join h41 as earlier
        on earlier.week_ending = cast(h41.week_ending - interval ({{ 7 * trend_weeks }}) day as date)
    left join week_averages on week_averages.week_ending = h41.week_ending
),

-- the last H.4.1 of a Wednesday before the day (never the day's own)
with_basis as (
    select daily.*, h41_basis.*, daily.business_date - h41_basis.h41_week_ending as days_since_h41
    from daily
    asof left join h41_basis on daily.business_date > h41_basis.h41_week_ending
),

nowcast as (
    select
        *,
        case when days_since_h41 <= 7 then
            h41_fed_total_assets_bn + coalesce(assets_drift_weekly_bn, 0) * days_since_h41 / 7
        end as fed_total_assets_nowcast_bn
    from with_basis
),

nowcast_reserves as (
    select
        *,
        case when days_since_h41 <= 7 then {{ reserves_nowcast(
            'h41_reserves_bn', 'assets_drift_weekly_bn', 'days_since_h41',
            'tga_bn', 'h41_tga_week_average_bn', 'on_rrp_bn', 'h41_on_rrp_week_average_bn') }}
        end as reserves_nowcast_bn
    from nowcast
),

-- the day's own H.4.1, on Wednesdays once it is published
best as (
    select
        nowcast_reserves.*,
        h41.week_ending is null as is_nowcast,
        case when h41.week_ending is null then fed_total_assets_nowcast_bn else h41.fed_total_assets_bn end
            as fed_total_assets_bn,
        case when h41.week_ending is null then reserves_nowcast_bn else h41.reserves_bn end as reserves_bn
    from nowcast_reserves
    left join h41 on h41.week_ending = nowcast_reserves.business_date
),

covered as (
    select min(business_date) as first_day, max(business_date) as last_day
    from best
    where tga_bn is not null and on_rrp_bn is not null and fed_total_assets_bn is not null
),

levels as (
    select
        best.*,
        {{ net_liquidity('fed_total_assets_bn', 'tga_bn', 'on_rrp_bn') }} as net_liquidity_bn,
        {{ net_liquidity('fed_total_assets_nowcast_bn', 'tga_bn', 'on_rrp_bn') }} as net_liquidity_nowcast_bn,
        {{ idle_pool('on_rrp_bn', 'reserves_bn', floor) }} as idle_pool_bn,
        nullif(concat_ws('; ',
            case when tga_bn is null then 'no TGA close this day (Daily Treasury Statement)' end,
            case when on_rrp_bn is null then 'no ON RRP this day (FRED RRPONTSYD)' end,
            case when fed_total_assets_bn is null then 'no H.4.1 (FRED WALCL) in the 7 days before' end,
            case when reserves_bn is null then
                'no reserves: WRESBAL, the week averages of the TGA or ON RRP, or a daily part unknown' end
        ), '') as null_reason
    from best
    cross join covered
    where best.business_date between covered.first_day and covered.last_day
)

select
    business_date,
    week_ending,
    is_nowcast,
    h41_week_ending,
    cast(days_since_h41 as integer) as days_since_h41,
    cast(tga_bn as decimal(18, 6)) as tga_bn,
    cast(on_rrp_bn as decimal(18, 6)) as on_rrp_bn,
    cast(fed_total_assets_bn as decimal(18, 6)) as fed_total_assets_bn,
    cast(reserves_bn as decimal(18, 6)) as reserves_bn,
    cast(net_liquidity_bn as decimal(18, 6)) as net_liquidity_bn,
    cast({{ floor }} as decimal(18, 6)) as reserve_floor_bn,
    cast(idle_pool_bn as decimal(18, 6)) as idle_pool_bn,
    cast(fed_total_assets_nowcast_bn as decimal(18, 6)) as fed_total_assets_nowcast_bn,
    cast(reserves_nowcast_bn as decimal(18, 6)) as reserves_nowcast_bn,
    cast(net_liquidity_nowcast_bn as decimal(18, 6)) as net_liquidity_nowcast_bn,
    cast(h41_fed_total_assets_bn as decimal(18, 6)) as h41_fed_total_assets_bn,
    cast(h41_reserves_bn as decimal(18, 6)) as h41_reserves_bn,
    cast(assets_drift_weekly_bn as decimal(18, 6)) as assets_drift_weekly_bn,
    cast(h41_tga_week_average_bn as decimal(18, 6)) as h41_tga_week_average_bn,
    cast(h41_on_rrp_week_average_bn as decimal(18, 6)) as h41_on_rrp_week_average_bn,
    cast(null_reason as varchar) as null_reason,
    is_synthetic
from levels
