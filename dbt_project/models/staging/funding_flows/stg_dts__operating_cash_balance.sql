-- Daily Treasury Statement table I, one row per date and account label, balances in USD bn.
with

source as (
    select * from {{ source('raw', 'dts_operating_cash_balance') }}
),

renamed as (
    select
        cast(record_date as date) as record_date,
        account_type,
        {{ to_usd_bn('open_today_bal', 'usd_mn') }} as open_today_bn,
        {{ to_usd_bn('open_month_bal', 'usd_mn') }} as open_month_bn,
        {{ to_usd_bn('open_fiscal_year_bal', 'usd_mn') }} as open_fiscal_year_bn,
        {{ to_usd_bn('close_today_bal', 'usd_mn') }} as close_today_bn,
        source_line_number,
        source_mode
    from source
)

select * from renamed
