-- Auction stress per auction (docs/scores.md): each auction against the prior N
-- (var auction_stress_prior_auctions) auctions of the same series, a series being the security
-- kind and its ORIGINAL term (a reopening's remaining term differs, e.g. "9-Year 10-Month" of a
-- "10-Year" note). stress = mean of -z(bid-to-cover), z(primary-dealer share), -z(indirect share):
-- positive = weaker demand. (The "tail" against the when-issued yield is not in public data.)
{% set n = var('auction_stress_prior_auctions') %}
with

auctions as (
    select * from {{ ref('stg_fiscal_data__treasury_auctions') }}
),

held as (
    select
        cusip,
        auction_date,
        {{ week_ending('auction_date') }} as week_ending,
        security_type,
        security_term,
        coalesce(original_security_term, case when not is_reopening then security_term end) as original_term,
        is_reopening,
        case when is_tips then 'TIPS' when is_frn then 'FRN' else security_type end as security_kind,
        offering_bn,
        total_accepted_bn,
        bid_to_cover_ratio,
        primary_dealer_accepted_bn / competitive_accepted_bn as primary_dealer_share,
        indirect_accepted_bn / competitive_accepted_bn as indirect_share,
        source_mode
    from auctions
    where bid_to_cover_ratio is not null      -- announced auctions have no results yet
        and competitive_accepted_bn > 0
        and not is_cmb                        -- cash-management bills are irregular one-offs
),

series as (
    select *, security_kind || ' ' || original_term as series
    from held
    where original_term is not null
),

prior as (
    select
        *,
        count(bid_to_cover_ratio) over w as prior_count,
        avg(bid_to_cover_ratio) over w as prior_bid_to_cover_mean,
        stddev_samp(bid_to_cover_ratio) over w as prior_bid_to_cover_sd,
        avg(primary_dealer_share) over w as prior_dealer_share_mean,
        stddev_samp(primary_dealer_share) over w as prior_dealer_share_sd,
        avg(indirect_share) over w as prior_indirect_share_mean,
        stddev_samp(indirect_share) over w as prior_indirect_share_sd
    from series
    window w as (partition by series order by auction_date, cusip rows between {{ n }} preceding and 1 preceding)
),

scored as (
    select
        *,
        case when prior_count = {{ n }} and prior_bid_to_cover_sd > 0
            then (bid_to_cover_ratio - prior_bid_to_cover_mean) / prior_bid_to_cover_sd end as z_bid_to_cover,
        case when prior_count = {{ n }} and prior_dealer_share_sd > 0
            then (primary_dealer_share - prior_dealer_share_mean) / prior_dealer_share_sd end as z_primary_dealer_share,
        case when prior_count = {{ n }} and prior_indirect_share_sd > 0
            then (indirect_share - prior_indirect_share_mean) / prior_indirect_share_sd end as z_indirect_share
    from prior
)

select
    cusip, auction_date, week_ending, series, security_kind, original_term, security_term,
    is_reopening, offering_bn, total_accepted_bn, bid_to_cover_ratio, primary_dealer_share,
    indirect_share, z_bid_to_cover, z_primary_dealer_share, z_indirect_share,
    (coalesce(-z_bid_to_cover, 0) + coalesce(z_primary_dealer_share, 0) + coalesce(-z_indirect_share, 0))
        / nullif((case when z_bid_to_cover is null then 0 else 1 end)
                 + (case when z_primary_dealer_share is null then 0 else 1 end)
                 + (case when z_indirect_share is null then 0 else 1 end), 0) as auction_stress,
    source_mode
from scored
