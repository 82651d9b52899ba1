-- Weekly returns (week ending Wednesday) of a speculative / long-duration basket (crypto proxies,
-- software, retail favourites) against a near-cash-flow basket (memory makers), equally weighted,
-- and their spread. (The forward 13-week spread by absorption regime joins the absorption mart
-- once it exists.)
with weekly_close as (
    select
        ticker, asset_group, {{ week_ending('price_date') }} as week_ending,
        {{ value_at_max('close_usd', 'price_date') }} as close_usd,
        bool_or(source_mode = 'scenario') as is_synthetic
    from {{ ref('int_prices__daily') }}
    group by ticker, asset_group, {{ week_ending('price_date') }}
),

returns as (
    select
        c.week_ending, c.asset_group, c.ticker,
        c.close_usd / p.close_usd - 1 as weekly_return,
        c.is_synthetic,
        case when c.asset_group in ('crypto_proxy', 'software', 'retail_favourite') then 'speculative'
             when c.asset_group = 'memory' then 'near_cash_flow' end as basket
    from weekly_close as c
    join weekly_close as p on p.ticker = c.ticker and p.week_ending = c.week_ending - 7
),

baskets as (
    select
        week_ending,
        avg(case when basket = 'speculative' then weekly_return end) as speculative_return,
        avg(case when basket = 'near_cash_flow' then weekly_return end) as near_cash_return,
        count(distinct case when basket = 'speculative' then ticker end) as speculative_assets,
        count(distinct case when basket = 'near_cash_flow' then ticker end) as near_cash_assets,
        bool_or(is_synthetic) as is_synthetic
    from returns
    where basket is not null
    group by week_ending
)

select
    week_ending,
    cast(100 * speculative_return as double) as speculative_return_pct,
    cast(100 * near_cash_return as double) as near_cash_flow_return_pct,
    cast(100 * (speculative_return - near_cash_return) as double) as spread_pp,
    cast(speculative_assets as integer) as speculative_assets,
    cast(near_cash_assets as integer) as near_cash_flow_assets,
    cast(is_synthetic as boolean) as is_synthetic
from baskets
where speculative_return is not null and near_cash_return is not null
