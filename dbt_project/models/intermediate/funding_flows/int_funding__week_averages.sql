-- The H.4.1's week averages of the daily parts: per week ending Wednesday, the mean over its seven
-- calendar days (Thursday..Wednesday) of the TGA close and of ON RRP, a weekend or holiday taking
-- the business day before. The H.4.1 reports reserves (WRESBAL) and the TGA (WTREGEN) this way, as
-- week averages: on the real files (DTS 2021-06-24 .. 2023-12-29) WTREGEN equals this average of
-- the DTS closes to the $mn in every one of the 131 weeks, while it differs from the Wednesday
-- close by 24 bn in the median week (up to 196 bn). The nowcast of reserves moves with these.
-- A day carries a value from at most 5 calendar days before (a long weekend, as the TGA close
-- does); a week with a day beyond that, or before the data starts, has no average.
with

daily as (
    select * from {{ ref('int_funding__aligned_daily') }}
),

tga_days as (
    select business_date, tga_bn from daily where tga_bn is not null
),

on_rrp_days as (
    select business_date, on_rrp_bn from daily where on_rrp_bn is not null
),

calendar as (
    select cast(day as date) as calendar_date
    from (select min(business_date) as first_day, max(business_date) as last_day from daily) as span,
        unnest(generate_series(span.first_day, span.last_day, interval 1 day)) as days(day)
),

carried_tga as (
    select calendar.calendar_date, tga_days.business_date as tga_date, tga_days.tga_bn
    from calendar
    asof left join tga_days on calendar.calendar_date >= tga_days.business_date
),

carried as (
    select
        carried_tga.calendar_date,
        {{ week_ending('carried_tga.calendar_date') }} as week_ending,
        case when carried_tga.calendar_date - carried_tga.tga_date <= 5 then carried_tga.tga_bn end as tga_bn,
        case when carried_tga.calendar_date - on_rrp_days.business_date <= 5 then on_rrp_days.on_rrp_bn end as on_rrp_bn
    from carried_tga
    asof left join on_rrp_days on carried_tga.calendar_date >= on_rrp_days.business_date
)

select
    week_ending,
    -- avg() skips nulls: a week counts only when all seven days carry a value
    case when count(tga_bn) = 7 then avg(tga_bn) end as tga_week_average_bn,
    case when count(on_rrp_bn) = 7 then avg(on_rrp_bn) end as on_rrp_week_average_bn
from carried
group by week_ending
