-- The daily parts of the bathtub, one row per business day: the TGA close (Daily Treasury
-- Statement) and ON RRP (FRED RRPONTSYD), the same readings the weekly panel takes on Wednesdays.
-- A business day is a day either source published; a part the other did not publish that day is
-- null (the DTS and the NY Fed keep the same federal calendar, so that is a gap in a download).
with

tga as (
    select record_date as business_date, tga_close_bn, is_synthetic
    from {{ ref('int_treasury__tga_daily') }}
    where tga_close_bn is not null
),

on_rrp as (
    select observation_date as business_date, value_bn as on_rrp_bn, source_mode = 'scenario' as is_synthetic
    from {{ ref('int_fred__observations_in_units') }}
    where series_id = 'RRPONTSYD'
)

select
    coalesce(tga.business_date, on_rrp.business_date) as business_date,
    {{ week_ending('coalesce(tga.business_date, on_rrp.business_date)') }} as week_ending,
    tga.tga_close_bn as tga_bn,
    on_rrp.on_rrp_bn,
    coalesce(tga.is_synthetic, false) or coalesce(on_rrp.is_synthetic, false) as is_synthetic
from tga
full outer join on_rrp on tga.business_date = on_rrp.business_date
