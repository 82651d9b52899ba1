-- MSPD table 1, one row per month end and line, amounts in USD bn.
with

source as (
    select * from {{ source('raw', 'mspd_debt_outstanding') }}
),

renamed as (
    select
        cast(record_date as date) as record_date,
        source_line_number,
        security_type_desc,
        security_class_desc,
        {{ to_usd_bn('debt_held_public_mil_amt', 'usd_mn') }} as debt_held_by_public_bn,
        {{ to_usd_bn('intragov_hold_mil_amt', 'usd_mn') }} as intragovernmental_holdings_bn,
        {{ to_usd_bn('total_mil_amt', 'usd_mn') }} as total_outstanding_bn,
        source_mode
    from source
)

select * from renamed
