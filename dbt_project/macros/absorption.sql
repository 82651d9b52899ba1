{#- The absorption formulas that the score and the policy what-ifs share (docs/scores.md). -#}

{#- Reserves above the floor, max(0, reserves - floor); null when reserves or the floor are unknown
    (DuckDB's greatest() skips nulls: without the guard, unknown reserves, or a floor not yet
    estimated, would read as none above it). -#}
{% macro excess_reserves(reserves, floor) -%}
    (case when {{ reserves }} is not null and ({{ floor }}) is not null then greatest(0, {{ reserves }} - ({{ floor }})) end)
{%- endmacro %}

{#- Idle pool I = ON RRP + reserves above the floor; null when those are unknown. -#}
{% macro idle_pool(on_rrp, reserves, floor) -%}
    ({{ on_rrp }} + {{ excess_reserves(reserves, floor) }})
{%- endmacro %}

{#- AR = F13 / max(I, epsilon); null when the idle pool is unknown (greatest() would divide by
    epsilon). -#}
{% macro absorption_ratio(f13, idle_pool_13w_ago) -%}
    (case when {{ idle_pool_13w_ago }} is not null
        then {{ f13 }} / greatest({{ idle_pool_13w_ago }}, {{ var('absorption_epsilon_bn') }}) end)
{%- endmacro %}

{#- The raw regime call from slack S and the absorption ratio. -#}
{% macro absorption_regime(slack, ratio) -%}
    (case
        when {{ slack }} is null or {{ ratio }} is null then null
        when {{ slack }} > 0 and {{ ratio }} < {{ var('ample_absorption_ratio_max') }} then 'ample'
        when {{ slack }} > 0 then 'tightening'
        else 'crowding_out'
    end)
{%- endmacro %}
