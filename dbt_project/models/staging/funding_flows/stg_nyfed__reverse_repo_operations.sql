-- NY Fed reverse-repo operations, one row per operation, amounts in USD bn.
with

source as (
    select * from {{ source('raw', 'nyfed_reverse_repo_operations') }}
),

renamed as (
    select
        operation_id,
        cast(operation_date as date) as operation_date,
        cast(settlement_date as date) as settlement_date,
        cast(maturity_date as date) as maturity_date,
        operation_type,
        operation_method,
        term,
        note,
        is_small_value,
        {{ to_usd_bn('total_amt_submitted', 'usd') }} as submitted_bn,
        {{ to_usd_bn('total_amt_accepted', 'usd') }} as accepted_bn,
        award_rate_pct,
        source_mode
    from source
)

select * from renamed
