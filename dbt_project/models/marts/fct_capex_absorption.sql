-- The capex-absorption score, weekly, as known each week (docs/scores.md):
--   F13 = hyperscaler external funding (latest filed quarter + seed deals after its end)
--   D13 = private Treasury supply over 13 weeks (net marketable issuance - Fed purchases)
--   I   = the idle pool 13 weeks before
--   AR  = F13 / max(I, epsilon);  slack S = I - (D13 + F13)
--   regime: ample (S > 0 and AR < var), tightening (S > 0), crowding_out (S <= 0)
--   confirmation: z of the 13-week changes in IG OAS, HY OAS, 10y yield, term premium, SOFR-IORB
--                 and of the 13-week auction-stress index
--   z-scores: expanding window of >= var('z_min_weeks') weeks, winsorised at +/- var('z_winsor')
--   score = 100 * Phi((wA z(AR) + wS z(-S) + wC confirmation) / (wA + wS + wC))
--   explained, as the Chicago Fed's NFCI is: each input's additive contribution to weighted_z
--     (contribution_*, summing to it), how many inputs sit above their own average and how many
--     rose this week; regime_reason in words; the raw call `regime` and `regime_held`, which
--     changes only once a new raw call has held var('regime_min_weeks') weeks in a row
--   beside them, I, AR, S and the raw regime at the estimated reserve floor (the bathtub's
--   idle_pool_estimated_floor_bn); the score and the held regime stay on the fixed floor
{% set w_ar = var('score_weight_absorption') %}
{% set w_slack = var('score_weight_slack') %}
{% set w_conf = var('score_weight_confirmation') %}
{% set w_total = '(' ~ w_ar ~ ' + ' ~ w_slack ~ ' + ' ~ w_conf ~ ')' %}
{% set confirmations = ['ig_oas_change_13w_pp', 'hy_oas_change_13w_pp', 'yield_10y_change_13w_pp', 'term_premium_change_13w_pp', 'sofr_iorb_change_13w_pp', 'auction_stress_13w'] %}
{#- every input, oriented so that higher = more pressure: z_<input> is its z-score, value_column its value -#}
{% set inputs = ['absorption_ratio', 'neg_slack'] + confirmations %}
{% set value_column = {'neg_slack': 'neg_slack_bn'} %}
{% set min_weeks = var('regime_min_weeks') %}
with

bathtub as (
    select week_ending, idle_pool_bn, idle_pool_estimated_floor_bn, reserve_floor_estimated_bn, is_synthetic
    from {{ ref('fct_liquidity_bathtub') }}
),

supply as (
    select week_ending, net_marketable_issuance_13w_bn, fed_treasury_purchases_13w_bn,
           private_supply_13w_bn, auction_stress_13w
    from {{ ref('int_treasury__supply_weekly') }}
),

funding as (
    select week_ending, sum(external_funding_13w_bn) as hyperscaler_funding_13w_bn, count(*) as companies_reporting
    from {{ ref('int_hyperscaler__funding_weekly') }}
    group by week_ending
),

market as (
    select week_ending, ig_oas_pct, hy_oas_pct, yield_10y_pct, term_premium_10y_pct,
           sofr_pct - iorb_pct as sofr_iorb_spread_pct
    from {{ ref('int_funding__aligned_weekly') }}
),

components as (
    select
        bathtub.week_ending,
        funding.hyperscaler_funding_13w_bn,
        coalesce(funding.companies_reporting, 0) as companies_reporting,
        supply.private_supply_13w_bn as private_treasury_supply_13w_bn,
        supply.net_marketable_issuance_13w_bn,
        supply.fed_treasury_purchases_13w_bn,
        lag(bathtub.idle_pool_bn, 13) over (order by bathtub.week_ending) as idle_pool_13w_ago_bn,
        lag(bathtub.idle_pool_estimated_floor_bn, 13) over (order by bathtub.week_ending) as idle_pool_13w_ago_estimated_floor_bn,
        lag(bathtub.reserve_floor_estimated_bn, 13) over (order by bathtub.week_ending) as reserve_floor_estimated_13w_ago_bn,
        market.ig_oas_pct - lag(market.ig_oas_pct, 13) over (order by bathtub.week_ending) as ig_oas_change_13w_pp,
        market.hy_oas_pct - lag(market.hy_oas_pct, 13) over (order by bathtub.week_ending) as hy_oas_change_13w_pp,
        market.yield_10y_pct - lag(market.yield_10y_pct, 13) over (order by bathtub.week_ending) as yield_10y_change_13w_pp,
        market.term_premium_10y_pct - lag(market.term_premium_10y_pct, 13) over (order by bathtub.week_ending) as term_premium_change_13w_pp,
        market.sofr_iorb_spread_pct - lag(market.sofr_iorb_spread_pct, 13) over (order by bathtub.week_ending) as sofr_iorb_change_13w_pp,
        supply.auction_stress_13w,
        bathtub.is_synthetic
    from bathtub
    left join supply on bathtub.week_ending = supply.week_ending
    left join funding on bathtub.week_ending = funding.week_ending
    left join market on bathtub.week_ending = market.week_ending
),

ratios as (
    select
        *,
        {{ absorption_ratio('hyperscaler_funding_13w_bn', 'idle_pool_13w_ago_bn') }} as absorption_ratio,
        idle_pool_13w_ago_bn - (private_treasury_supply_13w_bn + hyperscaler_funding_13w_bn) as slack_bn,
        (private_treasury_supply_13w_bn + hyperscaler_funding_13w_bn) - idle_pool_13w_ago_bn as neg_slack_bn,
        {{ absorption_ratio('hyperscaler_funding_13w_bn', 'idle_pool_13w_ago_estimated_floor_bn') }} as absorption_ratio_estimated_floor,
        idle_pool_13w_ago_estimated_floor_bn - (private_treasury_supply_13w_bn + hyperscaler_funding_13w_bn) as slack_estimated_floor_bn
    from components
),

z as (
    select
        *,
        count(absorption_ratio) over (order by week_ending rows between unbounded preceding and current row) as weeks_in_window,
        {{ expanding_z('absorption_ratio') }} as z_absorption_ratio,
        {{ expanding_z('neg_slack_bn') }} as z_neg_slack,
        {% for c in confirmations %}
        {{ expanding_z(c) }} as z_{{ c }}{{ ',' if not loop.last }}
        {% endfor %}
    from ratios
),

confirmed as (
    select
        *,
        ({% for c in confirmations %}coalesce(z_{{ c }}, 0){{ ' + ' if not loop.last }}{% endfor %})
            / nullif(confirmation_inputs, 0) as confirmation_z
    from (
        select
            *,
            {% for c in confirmations %}(case when z_{{ c }} is null then 0 else 1 end){{ ' + ' if not loop.last }}{% endfor %}
                as confirmation_inputs
        from z
    ) as counted
),

weighted as (
    select
        *,
        ({{ w_ar }} * z_absorption_ratio + {{ w_slack }} * z_neg_slack + {{ w_conf }} * confirmation_z)
            / {{ w_total }} as weighted_z,
        case
            when hyperscaler_funding_13w_bn is null then 'no hyperscaler filing known yet (SEC companyfacts)'
            when private_treasury_supply_13w_bn is null then 'less than 13 weeks of Treasury supply (Daily Treasury Statement public debt, FRED TREAST)'
            when idle_pool_13w_ago_bn is null then 'no idle pool 13 weeks before (bathtub weeks with reserves)'
        end as missing_input_reason,
        {{ absorption_regime('slack_bn', 'absorption_ratio') }} as regime,
        {{ absorption_regime('slack_estimated_floor_bn', 'absorption_ratio_estimated_floor') }} as regime_estimated_floor
    from confirmed
),

-- Each input's share of weighted_z: w/W * z for the ratio and slack, and w_conf/W * z_c / n for
-- each of the n confirmation z's that exist (confirmation_z is their mean). Null with weighted_z.
explained as (
    select
        *,
        case when weighted_z is not null then {{ w_ar }} * z_absorption_ratio / {{ w_total }} end
            as contribution_absorption_ratio,
        case when weighted_z is not null then {{ w_slack }} * z_neg_slack / {{ w_total }} end
            as contribution_neg_slack,
        {% for c in confirmations %}
        case when weighted_z is not null then {{ w_conf }} * z_{{ c }} / {{ w_total }} / confirmation_inputs end
            as contribution_{{ c }},
        {% endfor %}
        {% for i in inputs %}(case when z_{{ i }} is not null then 1 else 0 end){{ ' + ' if not loop.last }}{% endfor %}
            as inputs_scored,
        -- winsorising keeps the sign, so z > 0 is "above its own expanding average"
        {% for i in inputs %}(case when z_{{ i }} > 0 then 1 else 0 end){{ ' + ' if not loop.last }}{% endfor %}
            as inputs_above_average,
        {% for i in inputs %}(case when z_{{ i }} is not null and {{ value_column.get(i, i) }}
            > lag({{ value_column.get(i, i) }}) over (order by week_ending) then 1 else 0 end){{ ' + ' if not loop.last }}{% endfor %}
            as inputs_rising
    from weighted
),

-- regime_held: the raw call, held until a new one lasts var regime_min_weeks weeks (hold_calls)
held as (
    {{ hold_calls('explained', 'regime', min_weeks) }}
)

select
    week_ending,
    cast(hyperscaler_funding_13w_bn as decimal(18, 6)) as hyperscaler_funding_13w_bn,
    cast(companies_reporting as integer) as companies_reporting,
    cast(private_treasury_supply_13w_bn as decimal(18, 6)) as private_treasury_supply_13w_bn,
    cast(net_marketable_issuance_13w_bn as decimal(18, 6)) as net_marketable_issuance_13w_bn,
    cast(fed_treasury_purchases_13w_bn as decimal(18, 6)) as fed_treasury_purchases_13w_bn,
    cast(idle_pool_13w_ago_bn as decimal(18, 6)) as idle_pool_13w_ago_bn,
    cast(absorption_ratio as double) as absorption_ratio,
    cast(slack_bn as decimal(18, 6)) as slack_bn,
    cast(regime as varchar) as regime,
    {% for c in confirmations %}
    cast({{ c }} as double) as {{ c }},
    {% endfor %}
    cast(weeks_in_window as integer) as weeks_in_window,
    cast(z_absorption_ratio as double) as z_absorption_ratio,
    cast(z_neg_slack as double) as z_neg_slack,
    {% for c in confirmations %}
    cast(z_{{ c }} as double) as z_{{ c }},
    {% endfor %}
    cast(confirmation_z as double) as confirmation_z,
    cast(weighted_z as double) as weighted_z,
    cast(100 * {{ normal_cdf('weighted_z') }} as double) as score,
    cast(case
        when missing_input_reason is not null then missing_input_reason
        when z_absorption_ratio is null or z_neg_slack is null
            then 'z-score window not filled: ' || cast(weeks_in_window as varchar) || ' of {{ var("z_min_weeks") }} weeks'
        when confirmation_z is null then 'no confirmation z-score yet'
    end as varchar) as score_null_reason,
    is_synthetic,
    cast(contribution_absorption_ratio as double) as contribution_absorption_ratio,
    cast(contribution_neg_slack as double) as contribution_neg_slack,
    {% for c in confirmations %}
    cast(contribution_{{ c }} as double) as contribution_{{ c }},
    {% endfor %}
    cast(inputs_scored as integer) as inputs_scored,
    cast(inputs_above_average as integer) as inputs_above_average,
    cast(inputs_rising as integer) as inputs_rising,
    cast(call_run_weeks as integer) as weeks_in_regime,
    cast(held_call as varchar) as regime_held,
    cast(held_call_weeks as integer) as weeks_in_regime_held,
    cast(case
        when regime is null then 'no regime: ' || missing_input_reason
        when regime = 'crowding_out' then
            'slack ' || {{ bn_text('slack_bn') }} || ' bn <= 0: demand for funds ' || {{ bn_text('private_treasury_supply_13w_bn + hyperscaler_funding_13w_bn') }}
            || ' bn (Treasury ' || {{ bn_text('private_treasury_supply_13w_bn') }} || ', hyperscalers ' || {{ bn_text('hyperscaler_funding_13w_bn') }}
            || ') is not covered by the idle pool ' || {{ bn_text('idle_pool_13w_ago_bn') }} || ' bn of 13 weeks before'
        when regime = 'ample' then
            'slack ' || {{ bn_text('slack_bn') }} || ' bn > 0: the idle pool ' || {{ bn_text('idle_pool_13w_ago_bn') }}
            || ' bn of 13 weeks before covers demand for funds ' || {{ bn_text('private_treasury_supply_13w_bn + hyperscaler_funding_13w_bn') }}
            || ' bn (Treasury ' || {{ bn_text('private_treasury_supply_13w_bn') }} || ', hyperscalers ' || {{ bn_text('hyperscaler_funding_13w_bn') }}
            || '), and hyperscalers take ' || format('{:.2f}', absorption_ratio) || ' of it (absorption ratio < {{ var("ample_absorption_ratio_max") }})'
        else
            'slack ' || {{ bn_text('slack_bn') }} || ' bn > 0 but absorption ratio ' || format('{:.2f}', absorption_ratio)
            || ' >= {{ var("ample_absorption_ratio_max") }}: hyperscalers raise ' || {{ bn_text('hyperscaler_funding_13w_bn') }}
            || ' bn against an idle pool of ' || {{ bn_text('idle_pool_13w_ago_bn') }} || ' bn 13 weeks before'
    end as varchar) as regime_reason,
    cast(reserve_floor_estimated_13w_ago_bn as decimal(18, 6)) as reserve_floor_estimated_13w_ago_bn,
    cast(idle_pool_13w_ago_estimated_floor_bn as decimal(18, 6)) as idle_pool_13w_ago_estimated_floor_bn,
    cast(absorption_ratio_estimated_floor as double) as absorption_ratio_estimated_floor,
    cast(slack_estimated_floor_bn as decimal(18, 6)) as slack_estimated_floor_bn,
    cast(regime_estimated_floor as varchar) as regime_estimated_floor
from held
