-- Treasury auctions, one row per auction (CUSIP and auction date), amounts in USD bn.
with

source as (
    select * from {{ source('raw', 'treasury_auctions') }}
),

renamed as (
    select
        cusip,
        cast(auction_date as date) as auction_date,
        cast(issue_date as date) as issue_date,
        cast(maturity_date as date) as maturity_date,
        security_type,
        security_term,
        original_security_term,
        is_reopening,
        is_tips,
        is_frn,
        is_cmb,
        {{ to_usd_bn('offering_amt', 'usd') }} as offering_bn,
        {{ to_usd_bn('total_tendered', 'usd') }} as total_tendered_bn,
        {{ to_usd_bn('total_accepted', 'usd') }} as total_accepted_bn,
        {{ to_usd_bn('comp_accepted', 'usd') }} as competitive_accepted_bn,
        bid_to_cover_ratio,
        high_yield_pct,
        high_investment_rate_pct,
        {{ to_usd_bn('indirect_bidder_accepted', 'usd') }} as indirect_accepted_bn,
        {{ to_usd_bn('direct_bidder_accepted', 'usd') }} as direct_accepted_bn,
        {{ to_usd_bn('primary_dealer_accepted', 'usd') }} as primary_dealer_accepted_bn,
        {{ to_usd_bn('soma_accepted', 'usd') }} as soma_accepted_bn,
        source_format,
        source_mode
    from source
)

select * from renamed
