-- Each named episode of the seed stress_episodes read by every series: each stress composite of the
-- seed stress_composites and the absorption score. A series' week counts for an episode when it
-- overlaps the episode's days: a reading measuring the week that ends on day e (a composite's Friday,
-- the score's Wednesday) counts when e >= starts_on and e - 6 days <= ends_on. Composites are read
-- by the week they measure here (not the week they are published, as in the lead/lag mart): the
-- question is what each series said about those days. The held regime and the raw calls of the
-- episode's weeks are the same on every row of an episode.
with

episodes as (
    select * from {{ ref('stress_episodes') }}
),

composites as (
    select * from {{ ref('stress_composites') }}
),

absorption as (
    select * from {{ ref('fct_capex_absorption') }}
),

series as (
    select series_id, composite_name as series_name from composites
    union all
    select 'absorption_score', 'Capex-absorption score (0-100)'
),

-- every reading as (series, the last day of the week it measures, value); the score with its nulls
readings as (
    select series_id, observation_date as period_end, value_index as reading, is_synthetic, cast(null as varchar) as reading_null_reason
    from {{ ref('int_stress__composites_weekly') }}
    union all
    select 'absorption_score', week_ending, score, is_synthetic, score_null_reason
    from absorption
),

history as (
    select series_id, count(reading) as readings, min(period_end) filter (where reading is not null) as first_period_end,
           max(period_end) filter (where reading is not null) as last_period_end, bool_or(is_synthetic) as is_synthetic,
           mode(reading_null_reason) as main_null_reason
    from readings
    group by series_id
),

during as (
    select
        episodes.episode_id,
        readings.series_id,
        count(readings.reading) as weeks_read,
        max(readings.reading) as reading_peak,
        arg_max(readings.period_end, readings.reading) filter (where readings.reading is not null) as peak_period_end,
        mode(readings.reading_null_reason) as main_null_reason
    from episodes
    inner join readings
        on readings.period_end >= episodes.starts_on
        and cast(readings.period_end - 6 as date) <= episodes.ends_on
    group by episodes.episode_id, readings.series_id
),

before as (
    select
        episodes.episode_id,
        readings.series_id,
        arg_max(readings.reading, readings.period_end) as reading_before
    from episodes
    inner join readings
        on readings.period_end < episodes.starts_on
        and readings.period_end >= cast(episodes.starts_on - 28 as date)
        and readings.reading is not null
    group by episodes.episode_id, readings.series_id
),

-- where the peak ranks among all of the series' readings in the warehouse (0..100)
ranked as (
    select
        during.episode_id,
        during.series_id,
        100.0 * count(*) filter (where readings.reading <= during.reading_peak) / count(readings.reading) as peak_pctile
    from during
    inner join readings on readings.series_id = during.series_id and readings.reading is not null
    where during.reading_peak is not null
    group by during.episode_id, during.series_id
),

episode_weeks as (
    select episodes.episode_id, absorption.week_ending, absorption.regime, absorption.regime_held
    from episodes
    inner join absorption
        on absorption.week_ending >= episodes.starts_on
        and cast(absorption.week_ending - 6 as date) <= episodes.ends_on
),

-- the held regime of most weeks; on a tie, the one held last
held_most as (
    select episode_id, regime_held
    from (
        select
            episode_id,
            regime_held,
            row_number() over (partition by episode_id order by count(*) desc, max(week_ending) desc) as rank_in_episode
        from episode_weeks
        where regime_held is not null
        group by episode_id, regime_held
    ) as counted
    where rank_in_episode = 1
),

regimes as (
    select
        episodes.episode_id,
        count(episode_weeks.week_ending) as absorption_weeks,
        count(episode_weeks.regime) filter (where episode_weeks.regime = 'crowding_out') as crowding_out_weeks,
        any_value(held_most.regime_held) as regime_held_most_weeks
    from episodes
    left join episode_weeks on episode_weeks.episode_id = episodes.episode_id
    left join held_most on held_most.episode_id = episodes.episode_id
    group by episodes.episode_id
),

regime_before as (
    select episodes.episode_id, arg_max(absorption.regime_held, absorption.week_ending) as regime_held_before
    from episodes
    inner join absorption
        on absorption.week_ending < episodes.starts_on
        and absorption.week_ending >= cast(episodes.starts_on - 28 as date)
    group by episodes.episode_id
)

select
    episodes.episode_id,
    episodes.episode_name,
    episodes.starts_on,
    episodes.ends_on,
    series.series_id,
    series.series_name,
    cast(coalesce(during.weeks_read, 0) as integer) as weeks_read,
    cast(before.reading_before as double) as reading_before,
    cast(during.reading_peak as double) as reading_peak,
    during.peak_period_end,
    cast(during.reading_peak - before.reading_before as double) as reading_change,
    cast(ranked.peak_pctile as double) as peak_pctile,
    cast(case
        when during.reading_peak is not null then null
        when during.main_null_reason is not null then during.main_null_reason
        when coalesce(history.readings, 0) = 0
            then 'no ' || series.series_id || ' reading in the warehouse' || coalesce(' (most weeks: ' || history.main_null_reason || ')', '')
        else 'no ' || series.series_id || ' reading in the episode''s weeks (readings cover '
            || cast(history.first_period_end as varchar) || '..' || cast(history.last_period_end as varchar) || ')'
    end as varchar) as null_reason,
    cast(regimes.absorption_weeks as integer) as absorption_weeks,
    cast(regimes.crowding_out_weeks as integer) as crowding_out_weeks,
    cast(regimes.regime_held_most_weeks as varchar) as regime_held_most_weeks,
    cast(regime_before.regime_held_before as varchar) as regime_held_before,
    coalesce(history.is_synthetic, false) as is_synthetic
from episodes
cross join series
left join during on during.episode_id = episodes.episode_id and during.series_id = series.series_id
left join before on before.episode_id = episodes.episode_id and before.series_id = series.series_id
left join ranked on ranked.episode_id = episodes.episode_id and ranked.series_id = series.series_id
left join history on history.series_id = series.series_id
left join regimes on regimes.episode_id = episodes.episode_id
left join regime_before on regime_before.episode_id = episodes.episode_id
