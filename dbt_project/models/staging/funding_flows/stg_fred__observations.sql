-- FRED observations, one row per series and date as published (a missing value, FRED's ".", is
-- null), in the series' own unit. The unit depends on the series (seed fred_series), not on the
-- column, so the conversion to USD bn or percent is in int_fred__observations_in_units.
with

source as (
    select * from {{ source('raw', 'fred_observations') }}
),

renamed as (
    select
        series_id,
        cast(observation_date as date) as observation_date,
        value as value_in_source_unit,
        source_mode
    from source
)

select * from renamed
