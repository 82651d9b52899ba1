-- Reserves against the money-market spread, one row per week ending Wednesday: the input of the
-- estimated reserve floor (fct_reserve_floor_estimates). Reserves are FRED WRESBAL, the average of
-- the week ending that Wednesday, so the spread is the same week's average of daily SOFR - IORB
-- (IOER before 2021-07-29), over the days both were published. One Wednesday's spread would carry
-- that day's noise (the month-end and tax-date prints) into every fit.
with

fred as (
    select * from {{ ref('int_fred__observations_in_units') }}
),

fred_spliced as (
    {{ fred_iorb_spliced('fred') }}
),

spread_daily as (
    select
        sofr.observation_date,
        -- rates are published to 2 decimals of a percent: whole basis points, rounded off float noise
        round(100 * (sofr.value_pct - iorb.value_pct), 6) as sofr_iorb_spread_bp,
        sofr.source_mode = 'scenario' or iorb.source_mode = 'scenario' as is_synthetic
    from fred_spliced as sofr
    inner join fred_spliced as iorb
        on sofr.observation_date = iorb.observation_date and iorb.series_id = 'IORB'
    where sofr.series_id = 'SOFR'
),

spread_weekly as (
    select
        {{ week_ending('observation_date') }} as week_ending,
        avg(sofr_iorb_spread_bp) as sofr_iorb_spread_bp,
        count(*) as spread_days,
        bool_or(is_synthetic) as is_synthetic
    from spread_daily
    group by 1
),

reserves_weekly as (
    select {{ week_ending('observation_date') }} as week_ending, value_bn as reserves_bn, source_mode = 'scenario' as is_synthetic
    from fred_spliced
    where series_id = 'WRESBAL'
)

select
    reserves_weekly.week_ending,
    cast(reserves_weekly.reserves_bn as double) as reserves_bn,
    cast(spread_weekly.sofr_iorb_spread_bp as double) as sofr_iorb_spread_bp,
    cast(spread_weekly.spread_days as integer) as spread_days,
    reserves_weekly.is_synthetic or spread_weekly.is_synthetic as is_synthetic
from reserves_weekly
inner join spread_weekly on reserves_weekly.week_ending = spread_weekly.week_ending
