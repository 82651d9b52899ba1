-- The stress composites, one row per series and Friday reading, keyed to the H.4.1 week (ending
-- Wednesday) in which the reading is published: FRED dates each reading on the Friday its own week
-- ends, and the publisher releases it published_days_after days later (seed stress_composites: the
-- NFCI family on the Wednesday after, 5 days, so the week ending that Wednesday; STLFSI4 on the
-- Thursday after, 6 days, so the week ending the Wednesday after that). A week's reading is thus
-- one its users held by that Wednesday, as every weekly value of the marts is (no look-ahead).
with

observations as (
    select * from {{ ref('int_fred__observations_in_units') }}
    where value_index is not null
),

composites as (
    select * from {{ ref('stress_composites') }}
),

readings as (
    select
        observations.series_id,
        observations.observation_date,
        cast(observations.observation_date + composites.published_days_after as date) as published_on,
        observations.value_index,
        observations.source_mode
    from observations
    inner join composites on observations.series_id = composites.series_id
)

select
    series_id,
    observation_date,
    published_on,
    {{ week_ending('published_on') }} as week_ending,
    cast(value_index as double) as value_index,
    source_mode = 'scenario' as is_synthetic
from readings
