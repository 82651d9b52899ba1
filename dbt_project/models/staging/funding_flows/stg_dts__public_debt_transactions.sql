-- Daily Treasury Statement table IIIA, one row per date and line, amounts in USD bn.
with

source as (
    select * from {{ source('raw', 'dts_public_debt_transactions') }}
),

renamed as (
    select
        cast(record_date as date) as record_date,
        source_line_number,
        transaction_type,
        security_marketability,
        security_type,
        security_type_desc,
        {{ to_usd_bn('transaction_today_amt', 'usd_mn') }} as amount_today_bn,
        {{ to_usd_bn('transaction_mtd_amt', 'usd_mn') }} as amount_month_to_date_bn,
        {{ to_usd_bn('transaction_fytd_amt', 'usd_mn') }} as amount_fiscal_year_to_date_bn,
        source_mode
    from source
)

select * from renamed
