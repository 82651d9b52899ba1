-- The Treasury General Account's opening and closing balance per DTS date, across the three
-- labels its row has had (README, "Replay layout"):
--   until about Sep 2021   "Federal Reserve Account"          opening balance only (CSV export)
--   until mid-April 2022   "Treasury General Account (TGA)"   opening balance only (CSV export)
--   since then             four rows; the close is the "... Closing Balance" row's opening column
-- Where no close is published, a day's close is the next published day's opening, if that day
-- is at most 5 calendar days later (a long weekend); across a gap in the data it stays unknown.
with

balances as (
    select * from {{ ref('stg_dts__operating_cash_balance') }}
),

per_day as (
    select
        record_date,
        max(case when account_type in (
                'Federal Reserve Account',
                'Treasury General Account (TGA)',
                'Treasury General Account (TGA) Opening Balance'
            ) then open_today_bn end) as tga_open_bn,
        max(case when account_type = 'Treasury General Account (TGA) Closing Balance'
            then open_today_bn end) as tga_close_row_bn,
        max(case when account_type in ('Federal Reserve Account', 'Treasury General Account (TGA)')
            then close_today_bn end) as tga_close_api_bn,
        max(case
            when account_type = 'Federal Reserve Account' then 'federal_reserve_account'
            when account_type = 'Treasury General Account (TGA)' then 'tga_single_row'
            when account_type like 'Treasury General Account (TGA) % Balance' then 'tga_four_rows'
        end) as label_era,
        bool_or(source_mode = 'scenario') as is_synthetic
    from balances
    group by record_date
),

with_next as (
    select
        *,
        case
            when lead(record_date) over (order by record_date) <= record_date + 5
                then lead(tga_open_bn) over (order by record_date)
        end as next_day_open_bn
    from per_day
    where tga_open_bn is not null
),

closed as (
    select
        record_date,
        label_era,
        tga_open_bn,
        coalesce(tga_close_row_bn, tga_close_api_bn, next_day_open_bn) as tga_close_bn,
        case
            when tga_close_row_bn is not null then 'closing_balance_row'
            when tga_close_api_bn is not null then 'api_close_today_bal'
            when next_day_open_bn is not null then 'next_day_opening'
        end as close_method,
        is_synthetic
    from with_next
)

select * from closed
