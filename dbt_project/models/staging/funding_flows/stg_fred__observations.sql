-- One row per FRED series and date with a published value, in USD bn or percent.
with

source as (
    select * from {{ source('raw', 'fred_observations') }}
),

series as (
    select * from {{ ref('fred_series') }}
),

renamed as (
    select
        source.series_id,
        cast(source.observation_date as date) as observation_date,
        series.unit as source_unit,
        source.value as value_in_source_unit,
        case when series.unit like 'usd%' then {{ to_usd_bn_by('source.value', 'series.unit') }} end as value_bn,
        case when series.unit = 'pct' then source.value end as value_pct,
        source.source_mode
    from source
    left join series on source.series_id = series.series_id
    where source.value is not null
)

select * from renamed
