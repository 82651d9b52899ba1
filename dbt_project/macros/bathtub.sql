{#- The bathtub's level, shared by the weekly and the daily bathtub (docs/scores.md): net liquidity
    = Fed total assets - TGA - ON RRP. -#}
{% macro net_liquidity(fed_total_assets, tga, on_rrp) -%}
    ({{ fed_total_assets }} - {{ tga }} - {{ on_rrp }})
{%- endmacro %}

{#- The nowcast of reserves on a day, from the last H.4.1 (its week W0): WRESBAL of W0, a week's
    average and so a level of about its middle (3 days before W0), + the Fed assets' weekly drift
    from there, - the change of the TGA and of ON RRP from their own averages over W0's week (the
    balance sheet's identity, every other liability held flat). The daily bathtub and the scoring
    of its week averages both use it. -#}
{% macro reserves_nowcast(h41_reserves, assets_drift_weekly, days_since_h41, tga, h41_tga_average, on_rrp, h41_on_rrp_average) -%}
    ({{ h41_reserves }} + coalesce({{ assets_drift_weekly }}, 0) * ({{ days_since_h41 }} + 3) / 7
        - ({{ tga }} - {{ h41_tga_average }}) - ({{ on_rrp }} - {{ h41_on_rrp_average }}))
{%- endmacro %}
