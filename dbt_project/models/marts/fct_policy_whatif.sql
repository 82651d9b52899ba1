-- Policy what-ifs (the essay's claim 8), per path of seed fed_policy_paths and week from its start:
-- the absorption recomputed as if the Fed (and the Treasury) had followed the path, beside the
-- baseline. The model (docs/scores.md), deliberately simple:
--   Fed Treasury holdings H' = H at the week before starts_on - runoff/month * months (until
--     qt_ends_on), or H as observed without a runoff; + bill purchases/month * months since starts_on.
--     The change against the observed, dH = H' - H, is what the Fed bought beyond what it did.
--   TGA' = as observed, or moving linearly to tga_target_bn over tga_rebuild_weeks, then held; dTGA.
--   Fed assets' = Fed assets + dH (the Treasuries are on its balance sheet);
--   reserves'   = reserves + dH - dTGA (the Fed pays for bills with reserves, one for one; money
--                 the Treasury parks at the Fed leaves the banks), ON RRP as observed;
--   D13'        = D13 - (13-week change of dH) + (13-week change of dTGA): what the Fed buys the
--                 private sector does not absorb; the Treasury borrows what it adds to its cash;
--   idle pool, AR, slack and regime by the same macros as the observed marts; F13 and the
--   confirmation series (markets) as observed: the path does not model prices.
--   score: z of the what-if AR and -S against the baseline's own expanding windows (the scale the
--   monitor showed that week), with the observed confirmation z, weighted as the score.
{% set floor = var('reserve_floor_bn') %}
{% set w_ar = var('score_weight_absorption') %}
{% set w_slack = var('score_weight_slack') %}
{% set w_conf = var('score_weight_confirmation') %}
{% set days_per_month = 30.4375 %}
with

paths as (
    select * from {{ ref('fed_policy_paths') }}
),

absorption as (
    select week_ending, hyperscaler_funding_13w_bn, private_treasury_supply_13w_bn, absorption_ratio, slack_bn, regime, confirmation_z, score
    from {{ ref('fct_capex_absorption') }}
),

observed as (
    select
        bathtub.week_ending,
        bathtub.fed_total_assets_bn,
        bathtub.reserves_bn,
        bathtub.on_rrp_bn,
        bathtub.tga_bn,
        bathtub.idle_pool_bn,
        aligned.fed_treasury_holdings_bn,
        absorption.hyperscaler_funding_13w_bn,
        absorption.private_treasury_supply_13w_bn,
        absorption.slack_bn,
        absorption.regime,
        absorption.confirmation_z,
        absorption.score,
        bathtub.is_synthetic
    from {{ ref('fct_liquidity_bathtub') }} as bathtub
    left join absorption on absorption.week_ending = bathtub.week_ending
    left join {{ ref('int_funding__aligned_weekly') }} as aligned on aligned.week_ending = bathtub.week_ending
),

-- The baseline's expanding windows (as expanding_z reads them in fct_capex_absorption).
baseline_windows as (
    select
        week_ending,
        avg(absorption_ratio) over expanding as ratio_mean,
        stddev_samp(absorption_ratio) over expanding as ratio_sd,
        count(absorption_ratio) over expanding as ratio_n,
        avg(-slack_bn) over expanding as neg_slack_mean,
        stddev_samp(-slack_bn) over expanding as neg_slack_sd,
        count(slack_bn) over expanding as neg_slack_n
    from absorption
    window expanding as (order by week_ending rows between unbounded preceding and current row)
),

-- Each path's levels the last observed week before it starts.
path_starts as (
    select
        paths.path_name,
        arg_max(observed.fed_treasury_holdings_bn, observed.week_ending) as holdings_at_start_bn,
        arg_max(observed.tga_bn, observed.week_ending) as tga_at_start_bn
    from paths
    left join observed on observed.week_ending < paths.starts_on
    group by paths.path_name
),

path_weeks as (
    select
        paths.*,
        path_starts.holdings_at_start_bn,
        path_starts.tga_at_start_bn,
        observed.*,
        greatest(0, date_diff('day', paths.starts_on, observed.week_ending)) / {{ days_per_month }} as months_in,
        greatest(0, date_diff('day', paths.starts_on, least(observed.week_ending, coalesce(paths.qt_ends_on, observed.week_ending))))
            / {{ days_per_month }} as runoff_months,
        greatest(0, date_diff('day', paths.starts_on, observed.week_ending)) / 7.0 as weeks_in
    from paths
    inner join path_starts on path_starts.path_name = paths.path_name
    cross join observed
),

changes as (
    select
        *,
        case
            when week_ending < starts_on then 0
            when treasury_runoff_bn_per_month is null then bill_purchases_bn_per_month * months_in
            else holdings_at_start_bn - treasury_runoff_bn_per_month * runoff_months - fed_treasury_holdings_bn
                 + bill_purchases_bn_per_month * months_in
        end as fed_treasury_change_bn,
        case
            when week_ending < starts_on or tga_target_bn is null then 0
            else tga_at_start_bn + (tga_target_bn - tga_at_start_bn) * least(1, weeks_in / tga_rebuild_weeks) - tga_bn
        end as tga_change_bn
    from path_weeks
),

whatif as (
    select
        *,
        fed_total_assets_bn + fed_treasury_change_bn as whatif_fed_total_assets_bn,
        reserves_bn + fed_treasury_change_bn - tga_change_bn as whatif_reserves_bn,
        tga_bn + tga_change_bn as whatif_tga_bn,
        {{ idle_pool('on_rrp_bn', 'reserves_bn + fed_treasury_change_bn - tga_change_bn', floor) }} as whatif_idle_pool_bn,
        -- before the first week every path equals the observed, so a missing lag is no change
        private_treasury_supply_13w_bn
            - (fed_treasury_change_bn - coalesce(lag(fed_treasury_change_bn, 13) over by_path, 0))
            + (tga_change_bn - coalesce(lag(tga_change_bn, 13) over by_path, 0)) as whatif_d13_bn
    from changes
    window by_path as (partition by path_name order by week_ending)
),

lagged as (
    select
        *,
        lag(whatif_idle_pool_bn, 13) over (partition by path_name order by week_ending) as whatif_idle_pool_13w_ago_bn
    from whatif
),

ratios as (
    select
        *,
        {{ absorption_ratio('hyperscaler_funding_13w_bn', 'whatif_idle_pool_13w_ago_bn') }} as whatif_absorption_ratio,
        whatif_idle_pool_13w_ago_bn - (whatif_d13_bn + hyperscaler_funding_13w_bn) as whatif_slack_bn
    from lagged
),

scored as (
    select
        ratios.*,
        ({{ w_ar }} * {{ winsorised_z('ratios.whatif_absorption_ratio', 'w.ratio_mean', 'w.ratio_sd', 'w.ratio_n') }}
         + {{ w_slack }} * {{ winsorised_z('-ratios.whatif_slack_bn', 'w.neg_slack_mean', 'w.neg_slack_sd', 'w.neg_slack_n') }}
         + {{ w_conf }} * ratios.confirmation_z) / ({{ w_ar }} + {{ w_slack }} + {{ w_conf }}) as whatif_weighted_z
    from ratios
    left join baseline_windows as w on w.week_ending = ratios.week_ending
)

select
    cast(path_name as varchar) as path_name,
    week_ending,
    cast(starts_on as date) as starts_on,
    cast(fed_treasury_change_bn as decimal(18, 6)) as fed_treasury_change_bn,
    cast(tga_change_bn as decimal(18, 6)) as tga_change_bn,
    cast(whatif_fed_total_assets_bn as decimal(18, 6)) as fed_total_assets_bn,
    cast(whatif_reserves_bn as decimal(18, 6)) as reserves_bn,
    cast(whatif_tga_bn as decimal(18, 6)) as tga_bn,
    cast(whatif_idle_pool_bn as decimal(18, 6)) as idle_pool_bn,
    cast(whatif_idle_pool_13w_ago_bn as decimal(18, 6)) as idle_pool_13w_ago_bn,
    cast(whatif_d13_bn as decimal(18, 6)) as private_treasury_supply_13w_bn,
    cast(hyperscaler_funding_13w_bn as decimal(18, 6)) as hyperscaler_funding_13w_bn,
    cast(whatif_absorption_ratio as double) as absorption_ratio,
    cast(whatif_slack_bn as decimal(18, 6)) as slack_bn,
    cast({{ absorption_regime('whatif_slack_bn', 'whatif_absorption_ratio') }} as varchar) as regime,
    cast(100 * {{ normal_cdf('whatif_weighted_z') }} as double) as score,
    cast(fed_total_assets_bn as decimal(18, 6)) as baseline_fed_total_assets_bn,
    cast(reserves_bn as decimal(18, 6)) as baseline_reserves_bn,
    cast(idle_pool_bn as decimal(18, 6)) as baseline_idle_pool_bn,
    cast(slack_bn as decimal(18, 6)) as baseline_slack_bn,
    cast(regime as varchar) as baseline_regime,
    cast(score as double) as baseline_score,
    is_synthetic
from scored
where week_ending >= starts_on
