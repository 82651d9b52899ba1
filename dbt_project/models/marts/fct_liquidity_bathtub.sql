-- The liquidity bathtub, one row per week ending Wednesday (docs/scores.md):
--   level     net liquidity = Fed total assets - TGA - ON RRP
--   idle pool I = ON RRP + max(0, reserves - reserve floor), also at floor -/+ sensitivity, and at
--             the estimated floor: the latest fct_reserve_floor_estimates fit at or before the week
--   13-week change of the level = tap (change in Fed assets: QE/QT)
--                               + Treasury drain (-change in TGA)
--                               + reverse-repo release (-change in ON RRP)
--   demand for funds over 13 weeks = private Treasury supply D13 + hyperscaler external funding F13
-- Coverage: the weeks from the first to the last in which Fed assets, the TGA and ON RRP are all
-- known (sources start and end at different dates, and a user may hold only some of them); a
-- component missing inside that span is null, and null_reason says which and why.
{% set floor = var('reserve_floor_bn') %}
{% set band = var('reserve_floor_sensitivity_bn') %}
with

weekly as (
    select * from {{ ref('int_funding__aligned_weekly') }}
),

-- Weeks the floor fit finds no kink (or has too few weeks) carry the last fit before them.
floor_estimates as (
    select week_ending as estimated_on, reserve_floor_estimate_bn
    from {{ ref('fct_reserve_floor_estimates') }}
    where reserve_floor_estimate_bn is not null
),

weekly_with_floor as (
    select weekly.*, floor_estimates.estimated_on, floor_estimates.reserve_floor_estimate_bn
    from weekly
    asof left join floor_estimates on weekly.week_ending >= floor_estimates.estimated_on
),

treasury_supply as (
    select week_ending, private_supply_13w_bn from {{ ref('int_treasury__supply_weekly') }}
),

hyperscaler_funding as (
    select week_ending, sum(external_funding_13w_bn) as hyperscaler_funding_13w_bn
    from {{ ref('int_hyperscaler__funding_weekly') }}
    group by week_ending
),

covered as (
    select min(week_ending) as first_week, max(week_ending) as last_week
    from weekly
    where fed_total_assets_bn is not null and tga_bn is not null and on_rrp_bn is not null
),

levels as (
    select
        weekly.week_ending,
        fed_total_assets_bn,
        tga_bn,
        on_rrp_bn,
        reserves_bn,
        {{ net_liquidity('fed_total_assets_bn', 'tga_bn', 'on_rrp_bn') }} as net_liquidity_bn,
        {{ excess_reserves('reserves_bn', floor) }} as excess_reserves_bn,
        {{ idle_pool('on_rrp_bn', 'reserves_bn', floor) }} as idle_pool_bn,
        {{ idle_pool('on_rrp_bn', 'reserves_bn', floor - band) }} as idle_pool_if_floor_lower_bn,
        {{ idle_pool('on_rrp_bn', 'reserves_bn', floor + band) }} as idle_pool_if_floor_higher_bn,
        reserve_floor_estimate_bn,
        estimated_on,
        {{ excess_reserves('reserves_bn', 'reserve_floor_estimate_bn') }} as excess_reserves_estimated_floor_bn,
        {{ idle_pool('on_rrp_bn', 'reserves_bn', 'reserve_floor_estimate_bn') }} as idle_pool_estimated_floor_bn,
        nullif(concat_ws('; ',
            case when fed_total_assets_bn is null then 'no Fed total assets (FRED WALCL) this week' end,
            case when tga_bn is null then 'no TGA close this week (Daily Treasury Statement)' end,
            case when on_rrp_bn is null then 'no ON RRP (FRED RRPONTSYD) this week' end,
            case when reserves_bn is null then 'no reserves (FRED WRESBAL): idle pool unknown' end
        ), '') as null_reason,
        is_synthetic
    from weekly_with_floor as weekly
    cross join covered
    where weekly.week_ending between covered.first_week and covered.last_week
),

changes as (
    select
        *,
        net_liquidity_bn - lag(net_liquidity_bn, 13) over (order by week_ending) as net_liquidity_change_13w_bn,
        fed_total_assets_bn - lag(fed_total_assets_bn, 13) over (order by week_ending) as tap_13w_bn,
        -(tga_bn - lag(tga_bn, 13) over (order by week_ending)) as treasury_drain_13w_bn,
        -(on_rrp_bn - lag(on_rrp_bn, 13) over (order by week_ending)) as rrp_release_13w_bn
    from levels
),

demand as (
    select
        changes.*,
        treasury_supply.private_supply_13w_bn,
        hyperscaler_funding.hyperscaler_funding_13w_bn
    from changes
    left join treasury_supply on changes.week_ending = treasury_supply.week_ending
    left join hyperscaler_funding on changes.week_ending = hyperscaler_funding.week_ending
)

select
    week_ending,
    cast(fed_total_assets_bn as decimal(18, 6)) as fed_total_assets_bn,
    cast(tga_bn as decimal(18, 6)) as tga_bn,
    cast(on_rrp_bn as decimal(18, 6)) as on_rrp_bn,
    cast(reserves_bn as decimal(18, 6)) as reserves_bn,
    cast(net_liquidity_bn as decimal(18, 6)) as net_liquidity_bn,
    cast({{ floor }} as decimal(18, 6)) as reserve_floor_bn,
    cast(excess_reserves_bn as decimal(18, 6)) as excess_reserves_bn,
    cast(idle_pool_bn as decimal(18, 6)) as idle_pool_bn,
    cast(idle_pool_if_floor_lower_bn as decimal(18, 6)) as idle_pool_if_floor_lower_bn,
    cast(idle_pool_if_floor_higher_bn as decimal(18, 6)) as idle_pool_if_floor_higher_bn,
    cast(net_liquidity_change_13w_bn as decimal(18, 6)) as net_liquidity_change_13w_bn,
    cast(tap_13w_bn as decimal(18, 6)) as tap_13w_bn,
    cast(treasury_drain_13w_bn as decimal(18, 6)) as treasury_drain_13w_bn,
    cast(rrp_release_13w_bn as decimal(18, 6)) as rrp_release_13w_bn,
    cast(null_reason as varchar) as null_reason,
    is_synthetic,
    cast(private_supply_13w_bn as decimal(18, 6)) as private_treasury_supply_13w_bn,
    cast(hyperscaler_funding_13w_bn as decimal(18, 6)) as hyperscaler_funding_13w_bn,
    cast(private_supply_13w_bn + hyperscaler_funding_13w_bn as decimal(18, 6)) as demand_for_funds_13w_bn,
    reserves_bn > {{ floor }} as reserves_above_floor,
    cast(reserve_floor_estimate_bn as decimal(18, 6)) as reserve_floor_estimated_bn,
    estimated_on as reserve_floor_estimated_on,
    cast(excess_reserves_estimated_floor_bn as decimal(18, 6)) as excess_reserves_estimated_floor_bn,
    cast(idle_pool_estimated_floor_bn as decimal(18, 6)) as idle_pool_estimated_floor_bn,
    reserves_bn > reserve_floor_estimate_bn as reserves_above_estimated_floor
from demand
