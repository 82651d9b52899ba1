-- One row per FRED series and date with a published value, in USD bn, percent or index points:
-- the series' unit comes from the seed fred_series; money series convert to exact USD bn, rates
-- and spreads stay in percent, stress composites (unit index) stay as published.
with

observations as (
    select * from {{ ref('stg_fred__observations') }}
),

series as (
    select * from {{ ref('fred_series') }}
),

in_units as (
    select
        observations.series_id,
        observations.observation_date,
        series.unit as source_unit,
        observations.value_in_source_unit,
        case when series.unit like 'usd%' then {{ to_usd_bn_by('observations.value_in_source_unit', 'series.unit') }} end as value_bn,
        case when series.unit = 'pct' then observations.value_in_source_unit end as value_pct,
        case when series.unit = 'index' then observations.value_in_source_unit end as value_index,
        observations.source_mode
    from observations
    left join series on observations.series_id = series.series_id
    where observations.value_in_source_unit is not null
)

select * from in_units
