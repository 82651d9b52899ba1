-- Daily prices of the taxonomy's assets from both sources, with the daily log return.
with prices as (
    select * from {{ ref('stg_stooq__daily_prices') }}
    union all
    select * from {{ ref('stg_coinbase__daily_candles') }}
)

select
    t.ticker, t.cusip, t.asset_group, t.spec_weight,
    p.price_source, p.price_symbol, p.price_date, p.close_usd, p.dollar_volume_usd,
    ln(p.close_usd / lag(p.close_usd) over (partition by t.ticker order by p.price_date)) as log_return,
    p.source_mode
from prices as p
join {{ ref('asset_taxonomy') }} as t
    on t.price_source = p.price_source and t.price_symbol = p.price_symbol
