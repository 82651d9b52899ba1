-- Hyperscaler external funding known at each week (docs/scores.md, F13), per company:
-- the company's latest filed quarter (its latest version filed by the Wednesday), plus the bond
-- deals and off-balance-sheet financings of the seed dated after that quarter's end and by the
-- Wednesday. Nothing enters before its filing or deal date.
with

weeks as (
    select week_ending from {{ ref('int_funding__aligned_weekly') }}
),

quarters as (
    select * from {{ ref('int_hyperscaler__funding_quarterly') }}
),

financings as (
    select company as ticker, cast(date as date) as deal_date, kind, amount_bn
    from {{ ref('hyperscaler_financings') }}
),

known as (
    -- per week and company: the latest quarter filed by then, in its latest version
    select *
    from (
        select
            weeks.week_ending,
            quarters.*,
            row_number() over (
                partition by weeks.week_ending, quarters.ticker
                order by quarters.fiscal_quarter_end desc, quarters.known_from desc
            ) as recency
        from weeks
        inner join quarters on quarters.known_from <= weeks.week_ending
    ) as ranked
    where recency = 1
),

deals_after as (
    select
        known.week_ending,
        known.ticker,
        sum(case when financings.kind = 'bond' then financings.amount_bn else 0 end) as bonds_after_quarter_bn,
        sum(case when financings.kind = 'off_balance_sheet' then financings.amount_bn else 0 end) as off_balance_sheet_after_quarter_bn
    from known
    inner join financings
        on financings.ticker = known.ticker
        and financings.deal_date > known.fiscal_quarter_end
        and financings.deal_date <= known.week_ending
    group by known.week_ending, known.ticker
)

select
    known.week_ending,
    known.ticker,
    known.fiscal_quarter_end as latest_quarter_end,
    known.calendar_quarter_end as latest_calendar_quarter_end,
    known.known_from as latest_quarter_known_from,
    known.capex_bn as latest_quarter_capex_bn,
    known.external_funding_bn as latest_quarter_external_funding_bn,
    coalesce(deals_after.bonds_after_quarter_bn, 0) as bonds_after_quarter_bn,
    coalesce(deals_after.off_balance_sheet_after_quarter_bn, 0) as off_balance_sheet_after_quarter_bn,
    known.external_funding_bn
        + coalesce(deals_after.bonds_after_quarter_bn, 0)
        + coalesce(deals_after.off_balance_sheet_after_quarter_bn, 0) as external_funding_13w_bn,
    known.is_synthetic
from known
left join deals_after on known.week_ending = deals_after.week_ending and known.ticker = deals_after.ticker
