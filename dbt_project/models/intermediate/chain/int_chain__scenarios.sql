{#- The chain's scenarios (docs/scores.md, "Bands and inverse stress"), one row each:
    - 'baseline': every parameter at its var, as marts.fct_forced_selling_chain (a singular test
      holds the two equal);
    - 'draw': var('chain_band_draws') draws of the uncertain parameters, hedge-fund leverage b,
      redemption sensitivity beta and a scale of the price impact kappa, each uniform over its
      range (vars chain_band_*), as a Halton sequence (deterministic, evenly spread), at the
      standard shock;
    - 'stress': the funder shock from var('chain_stress_shock_step_pct') to
      var('chain_stress_shock_max_pct') in steps of the former, every other parameter at its var. -#}
{%- set n_draws = var('chain_band_draws') | int -%}
{%- set leverage = var('chain_band_leverage_hedge_fund') -%}
{%- set beta = var('chain_band_redemption_beta') -%}
{%- set kappa = var('chain_band_kappa_scale') -%}
{%- set step = var('chain_stress_shock_step_pct') -%}
{%- set n_shocks = (var('chain_stress_shock_max_pct') / step) | round(0, 'floor') | int -%}
select
    cast(scenario_id as integer) as scenario_id,
    cast(scenario_kind as varchar) as scenario_kind,
    cast(shock_pct as double) as shock_pct,
    cast(leverage_hedge_fund as double) as leverage_hedge_fund,
    cast(redemption_beta as double) as redemption_beta,
    cast(kappa_scale as double) as kappa_scale
from (values
    (0, 'baseline', {{ var('chain_shock_pct') }}, {{ var('chain_leverage_hedge_fund') }}, {{ var('chain_redemption_beta') }}, 1.0),
    {%- for i in range(1, n_draws + 1) %}
    ({{ i }}, 'draw', {{ var('chain_shock_pct') }},
     {{ leverage[0] }} + {{ leverage[1] - leverage[0] }} * {{ van_der_corput(i, 2) }},
     {{ beta[0] }} + {{ beta[1] - beta[0] }} * {{ van_der_corput(i, 3) }},
     {{ kappa[0] }} + {{ kappa[1] - kappa[0] }} * {{ van_der_corput(i, 5) }}),
    {%- endfor %}
    {%- for k in range(1, n_shocks + 1) %}
    ({{ n_draws + k }}, 'stress', {{ k * step }}, {{ var('chain_leverage_hedge_fund') }}, {{ var('chain_redemption_beta') }}, 1.0){% if not loop.last %},{% endif %}
    {%- endfor %}
) as scenarios (scenario_id, scenario_kind, shock_pct, leverage_hedge_fund, redemption_beta, kappa_scale)
