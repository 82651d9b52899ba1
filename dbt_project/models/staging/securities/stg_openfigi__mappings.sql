-- One row per CUSIP OpenFIGI was asked about: its US composite listing, or not_found.
select
    cusip,
    status as openfigi_status,
    figi,
    figi_name,
    ticker,
    exch_code,
    market_sector,
    security_type,
    security_type2,
    fetched_at
from {{ source('raw', 'openfigi_mappings') }}
