-- Treasury supply per H.4.1 week (docs/scores.md, D13):
--   net marketable issuance = DTS table IIIA marketable issues - marketable redemptions
--   private supply          = net marketable issuance - change in the Fed's Treasury holdings
--                             (TREAST): what the Fed buys, the private sector does not absorb
-- with 13-week sums, gross auction supply by original term and the week's auction stress.
with

weeks as (
    select week_ending, fed_treasury_holdings_bn, is_synthetic
    from {{ ref('int_funding__aligned_weekly') }}
),

dts as (
    select
        {{ week_ending('record_date') }} as week_ending,
        sum(case when transaction_type = 'Issues' then amount_today_bn else -amount_today_bn end) as net_marketable_issuance_bn
    from {{ ref('stg_dts__public_debt_transactions') }}
    where security_marketability = 'Marketable'
    group by 1
),

auctions as (
    select
        week_ending,
        sum(case when security_kind = 'Bill' then total_accepted_bn else 0 end) as gross_bills_bn,
        sum(case when security_kind = 'Note' then total_accepted_bn else 0 end) as gross_notes_bn,
        sum(case when security_kind = 'Bond' then total_accepted_bn else 0 end) as gross_bonds_bn,
        sum(case when security_kind in ('TIPS', 'FRN') then total_accepted_bn else 0 end) as gross_tips_frn_bn,
        sum(total_accepted_bn) as gross_auctioned_bn,
        count(*) as auctions_held,
        avg(auction_stress) as auction_stress_index
    from {{ ref('int_treasury__auction_stress') }}
    group by week_ending
),

weekly as (
    select
        weeks.week_ending,
        dts.net_marketable_issuance_bn,
        weeks.fed_treasury_holdings_bn,
        weeks.fed_treasury_holdings_bn - lag(weeks.fed_treasury_holdings_bn) over (order by weeks.week_ending) as fed_treasury_purchases_bn,
        auctions.gross_bills_bn,
        auctions.gross_notes_bn,
        auctions.gross_bonds_bn,
        auctions.gross_tips_frn_bn,
        auctions.gross_auctioned_bn,
        coalesce(auctions.auctions_held, 0) as auctions_held,
        auctions.auction_stress_index,
        weeks.is_synthetic
    from weeks
    left join dts on weeks.week_ending = dts.week_ending
    left join auctions on weeks.week_ending = auctions.week_ending
),

with_private as (
    select *, net_marketable_issuance_bn - fed_treasury_purchases_bn as private_supply_bn
    from weekly
)

select
    *,
    case when count(net_marketable_issuance_bn) over w13 = 13
        then sum(net_marketable_issuance_bn) over w13 end as net_marketable_issuance_13w_bn,
    case when count(fed_treasury_purchases_bn) over w13 = 13
        then sum(fed_treasury_purchases_bn) over w13 end as fed_treasury_purchases_13w_bn,
    case when count(private_supply_bn) over w13 = 13
        then sum(private_supply_bn) over w13 end as private_supply_13w_bn,
    avg(auction_stress_index) over w13 as auction_stress_13w
from with_private
window w13 as (order by week_ending rows between 12 preceding and current row)
