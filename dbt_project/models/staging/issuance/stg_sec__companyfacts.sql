-- SEC companyfacts cash-flow facts, one row per company, tag, period and filing, in USD bn.
-- 10-Q values are year-to-date; decumulation happens in intermediate.
with

source as (
    select * from {{ source('raw', 'sec_companyfacts') }}
),

renamed as (
    select
        cik,
        entity_name,
        tag,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        {{ to_usd_bn('value_usd', 'usd') }} as value_bn,
        accn as accession_number,
        fiscal_year,
        fiscal_period,
        form,
        cast(filed as date) as filed_date,
        source_mode
    from source
)

select * from renamed
