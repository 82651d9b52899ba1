-- Coinbase volume is in the base currency (e.g. BTC): dollar volume = close * volume.
select
    symbol as price_symbol,
    'coinbase' as price_source,
    price_date,
    open as open_usd,
    high as high_usd,
    low as low_usd,
    close as close_usd,
    volume as volume_units,
    close * volume as dollar_volume_usd,
    source_mode
from {{ source('raw', 'coinbase_daily_candles') }}
