-- What the monitor alerts on, one row per event, from fct_capex_absorption's history (docs/scores.md):
--   regime_change  the held regime (regime_held) differs from the last held regime before it (a
--                  stretch without a held call in between neither hides a change nor makes one)
--   score_crossing the score's side of a threshold of var alert_score_thresholds (above: >= it),
--                  held as the regime is (hold_calls, var regime_min_weeks weeks on the new side),
--                  differs from its last held side: a score that crosses back within a few weeks
--                  is no alert
-- Each row carries the week's explaining values and reason. reverse_qe.alerts records new rows in
-- alerts.absorption_alert_log and posts each once to the webhook; this mart is the history.
with

absorption as (
    select
        *,
        last_value(regime_held ignore nulls) over (order by week_ending rows between unbounded preceding and 1 preceding)
            as previous_held
    from {{ ref('fct_capex_absorption') }}
),

sides as (
    select
        absorption.week_ending,
        thresholds.threshold,
        case when absorption.score >= thresholds.threshold then 'above' when absorption.score is not null then 'below' end
            as side
    from absorption
    cross join (values {% for t in var('alert_score_thresholds') %}({{ t }}){{ ', ' if not loop.last }}{% endfor %})
        as thresholds(threshold)
),

held_sides as (
    select
        *,
        last_value(held_call ignore nulls) over (partition by threshold order by week_ending
            rows between unbounded preceding and 1 preceding) as previous_side
    from ({{ hold_calls('sides', 'side', var('regime_min_weeks'), partition_by='threshold') }}) as held
),

events as (
    select
        'regime_change:' || cast(week_ending as varchar) as alert_id,
        week_ending,
        'regime_change' as alert_kind,
        cast(null as double) as threshold,
        previous_held as from_value,
        regime_held as to_value
    from absorption
    where regime_held is not null and previous_held is not null and regime_held <> previous_held
    union all
    select
        'score_crossing_' || cast(threshold as varchar) || ':' || cast(week_ending as varchar),
        week_ending,
        'score_crossing',
        threshold,
        previous_side || ' ' || cast(threshold as varchar),
        held_call || ' ' || cast(threshold as varchar)
    from held_sides
    where held_call is not null and previous_side is not null and held_call <> previous_side
)

select
    cast(events.alert_id as varchar) as alert_id,
    events.week_ending,
    cast(events.alert_kind as varchar) as alert_kind,
    cast(events.threshold as double) as threshold,
    cast(events.from_value as varchar) as from_value,
    cast(events.to_value as varchar) as to_value,
    cast(case
        when events.alert_kind = 'regime_change' then
            'held regime ' || events.from_value || ' -> ' || events.to_value || ' in the week of '
            || cast(events.week_ending as varchar) || ' (' || cast(absorption.weeks_in_regime as varchar)
            || ' weeks of the new call): ' || absorption.regime_reason
        else
            'score ' || events.from_value || ' -> ' || events.to_value || ' in the week of '
            || cast(events.week_ending as varchar) || ' (score ' || format('{:.1f}', absorption.score) || ', '
            || cast(absorption.inputs_above_average as varchar) || ' of ' || cast(absorption.inputs_scored as varchar)
            || ' inputs above their average); held regime ' || coalesce(absorption.regime_held, 'none') || ': '
            || absorption.regime_reason
    end as varchar) as message,
    absorption.regime,
    absorption.regime_held,
    absorption.regime_reason,
    absorption.score,
    absorption.weighted_z,
    absorption.slack_bn,
    absorption.absorption_ratio,
    absorption.idle_pool_13w_ago_bn,
    absorption.private_treasury_supply_13w_bn,
    absorption.hyperscaler_funding_13w_bn,
    absorption.inputs_above_average,
    absorption.inputs_scored,
    absorption.is_synthetic
from events
inner join absorption on absorption.week_ending = events.week_ending
