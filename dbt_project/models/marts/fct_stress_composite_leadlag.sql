-- Does the absorption score lead, lag or restate the known stress indexes? For each composite of
-- the seed stress_composites and each lag k from -leadlag_max_weeks to +leadlag_max_weeks, the
-- Pearson correlation between the score of week w and the composite's reading known in week w + k
-- (int_stress__composites_weekly), over the weeks where both exist. Sign convention: k > 0 pairs the
-- score with a LATER reading, so a correlation peaking at k > 0 means the score leads the composite
-- by k weeks; at k < 0 the composite leads the score; at 0 they move together. Every series has a
-- row for every lag, with null_reason where no correlation can be computed.
{% set max_lag = var('leadlag_max_weeks') | int %}
{% set min_weeks = var('leadlag_min_weeks') | int %}
with

composites as (
    select * from {{ ref('stress_composites') }}
),

readings as (
    select * from {{ ref('int_stress__composites_weekly') }}
),

absorption as (
    select * from {{ ref('fct_capex_absorption') }}
),

scores as (
    select week_ending, score, is_synthetic from absorption where score is not null
),

lags as (
    select cast(lag_weeks as integer) as lag_weeks from range(-{{ max_lag }}, {{ max_lag + 1 }}) as t(lag_weeks)
),

pairs as (
    select
        readings.series_id,
        lags.lag_weeks,
        scores.week_ending as score_week,
        scores.score,
        readings.value_index
    from scores
    cross join lags
    inner join readings on readings.week_ending = cast(scores.week_ending + 7 * lags.lag_weeks as date)
),

by_lag as (
    select
        series_id,
        lag_weeks,
        count(*) as overlapping_weeks,
        min(score_week) as first_score_week,
        max(score_week) as last_score_week,
        case when stddev_samp(score) > 0 and stddev_samp(value_index) > 0 then corr(score, value_index) end as correlation
    from pairs
    group by series_id, lag_weeks
),

series_readings as (
    select series_id, count(*) as readings, bool_or(is_synthetic) as is_synthetic
    from readings
    group by series_id
),

-- Why the score is missing, for the null_reason of a series no score week overlaps.
score_absence as (
    select
        count(score) as scored_weeks,
        bool_or(is_synthetic) as is_synthetic,
        mode(score_null_reason) as main_reason
    from absorption
),

grid as (
    select
        composites.series_id,
        composites.composite_name,
        lags.lag_weeks,
        coalesce(by_lag.overlapping_weeks, 0) as overlapping_weeks,
        by_lag.first_score_week,
        by_lag.last_score_week,
        case when coalesce(by_lag.overlapping_weeks, 0) >= {{ min_weeks }} then by_lag.correlation end as correlation,
        case
            when coalesce(series_readings.readings, 0) = 0
                then 'no ' || composites.series_id || ' reading in the warehouse (FRED series not provided)'
            when score_absence.scored_weeks = 0
                then 'no week has an absorption score (most weeks: ' || coalesce(score_absence.main_reason, 'no absorption week') || ')'
            when coalesce(by_lag.overlapping_weeks, 0) < {{ min_weeks }}
                then cast(coalesce(by_lag.overlapping_weeks, 0) as varchar) || ' overlapping weeks at this lag, fewer than the {{ min_weeks }} a correlation needs'
            when by_lag.correlation is null
                then 'the score or the composite is constant over the overlapping weeks'
        end as null_reason,
        coalesce(series_readings.is_synthetic, false) or coalesce(score_absence.is_synthetic, false) as is_synthetic
    from composites
    cross join lags
    cross join score_absence
    left join by_lag on composites.series_id = by_lag.series_id and lags.lag_weeks = by_lag.lag_weeks
    left join series_readings on composites.series_id = series_readings.series_id
)

select
    series_id,
    composite_name,
    lag_weeks,
    cast(overlapping_weeks as integer) as overlapping_weeks,
    first_score_week,
    last_score_week,
    cast(correlation as double) as correlation,
    -- the lag of the series' strongest correlation (largest absolute value; ties: the smaller |lag|, then the earlier)
    coalesce(correlation is not null and row_number() over (
        partition by series_id
        order by abs(correlation) desc nulls last, abs(lag_weeks), lag_weeks
    ) = 1, false) as is_strongest,
    cast(null_reason as varchar) as null_reason,
    is_synthetic
from grid
