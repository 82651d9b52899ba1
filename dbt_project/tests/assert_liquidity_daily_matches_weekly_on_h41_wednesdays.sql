-- On every Wednesday with its H.4.1 the daily bathtub is the weekly one: the same Fed assets, TGA,
-- ON RRP, reserves, net liquidity and idle pool, to the last of their 6 decimals; and every week
-- of the weekly bathtub whose Wednesday is a business day of the daily one is such a Wednesday.
-- A Wednesday the Daily Treasury Statement has no close for (a row from ON RRP alone) is left out:
-- the weekly bathtub then takes the week's last earlier close, the daily row says why it has none
-- (the replay fixtures' first week, 2021-06-30, is such a day).
-- Attached in Dagster to fct_liquidity_daily.
{{ config(meta={'dagster': {'ref': {'name': 'fct_liquidity_daily'}}}) }}
select weekly.week_ending, daily.business_date, daily.is_nowcast
from {{ ref('fct_liquidity_bathtub') }} as weekly
inner join {{ ref('fct_liquidity_daily') }} as daily on daily.business_date = weekly.week_ending
where daily.tga_bn is not null and (daily.is_nowcast
   or daily.fed_total_assets_bn is distinct from weekly.fed_total_assets_bn
   or daily.tga_bn is distinct from weekly.tga_bn
   or daily.on_rrp_bn is distinct from weekly.on_rrp_bn
   or daily.reserves_bn is distinct from weekly.reserves_bn
   or daily.net_liquidity_bn is distinct from weekly.net_liquidity_bn
   or daily.idle_pool_bn is distinct from weekly.idle_pool_bn)
