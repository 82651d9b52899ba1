-- The latest week in one row (none before the bathtub has a week), as `make status` reports it:
-- the latest week of fct_capex_absorption (its regime may be null), its score or why there is
-- none, slack and absorption ratio, the bathtub's idle pool and level that week, and how long the
-- current regime has lasted: the weeks back from the latest with the same regime (a null regime
-- counts as one of its own, as in make status); beside it the held regime (regime_held, which
-- changes only after var regime_min_weeks weeks of a new call), its weeks and start, and the
-- reason of the raw call in words. A table, not a view: publish_copy drops views.
with

absorption as (
    select week_ending, regime, score, score_null_reason, slack_bn, absorption_ratio,
           idle_pool_13w_ago_bn, is_synthetic, regime_held, weeks_in_regime_held, regime_reason,
           row_number() over (order by week_ending desc) as weeks_back
    from {{ ref('fct_capex_absorption') }}
),

latest as (
    select * from absorption
    order by week_ending desc
    limit 1
),

last_other_regime as (
    select max(absorption.week_ending) as week_ending
    from absorption
    cross join latest
    where absorption.regime is distinct from latest.regime
),

current_run as (
    select min(absorption.week_ending) as regime_since, count(*) as weeks_in_regime
    from absorption
    cross join last_other_regime
    where last_other_regime.week_ending is null or absorption.week_ending > last_other_regime.week_ending
)

select
    latest.week_ending,
    latest.regime,
    cast(current_run.weeks_in_regime as integer) as weeks_in_regime,
    current_run.regime_since,
    latest.score,
    latest.score_null_reason,
    latest.slack_bn,
    latest.absorption_ratio,
    latest.idle_pool_13w_ago_bn,
    bathtub.idle_pool_bn,
    bathtub.net_liquidity_bn,
    latest.is_synthetic,
    latest.regime_held,
    latest.weeks_in_regime_held,
    held_start.week_ending as regime_held_since,
    latest.regime_reason
from latest
cross join current_run
left join absorption as held_start on held_start.weeks_back = latest.weeks_in_regime_held
left join {{ ref('fct_liquidity_bathtub') }} as bathtub on bathtub.week_ending = latest.week_ending
