-- Liquidity per asset and calendar quarter, from that quarter's trading days: daily volatility
-- sigma_k, average daily dollar volume ADV_k ($bn), the 90-day return to the quarter's last price,
-- and price impact per $bn sold l_k = kappa * sigma_k / ADV_k (docs/scores.md). Quarters with
-- fewer than var('chain_min_price_days') trading days get no impact (the chain falls back).
with daily as (
    select *, {{ quarter_end('price_date') }} as quarter_end from {{ ref('int_prices__daily') }}
),

quarters as (
    select
        ticker, max(cusip) as cusip, max(asset_group) as asset_group, quarter_end,
        count(*) as trading_days,
        stddev_samp(log_return) as daily_volatility,
        avg(dollar_volume_usd) / 1e9 as avg_daily_dollar_volume_bn,
        max(price_date) as last_price_date,
        bool_or(source_mode = 'scenario') as is_synthetic
    from daily
    group by ticker, quarter_end
),

last_close as (
    select q.ticker, q.quarter_end, d.close_usd
    from quarters as q
    join daily as d on d.ticker = q.ticker and d.price_date = q.last_price_date
),

close_90d_before as (
    select q.ticker, q.quarter_end, {{ value_at_max('d.close_usd', 'd.price_date') }} as close_usd
    from quarters as q
    join daily as d
        on d.ticker = q.ticker and d.price_date <= {{ days_before('q.last_price_date', 90) }}
    group by q.ticker, q.quarter_end
)

select
    q.ticker, q.cusip, q.asset_group, q.quarter_end, q.trading_days,
    q.daily_volatility, q.avg_daily_dollar_volume_bn,
    100 * (l.close_usd / b.close_usd - 1) as return_90d_pct,
    case when q.trading_days >= {{ var('chain_min_price_days') }} and q.avg_daily_dollar_volume_bn > 0
         then {{ var('chain_price_impact_kappa') }} * q.daily_volatility / q.avg_daily_dollar_volume_bn
    end as price_impact_per_bn,
    q.is_synthetic
from quarters as q
join last_close as l on l.ticker = q.ticker and l.quarter_end = q.quarter_end
left join close_90d_before as b on b.ticker = q.ticker and b.quarter_end = q.quarter_end
