{#- Per quarter and asset, what every round of the chain prices against: all 13F holders' holdings
    of it and its price impact per $bn sold (one per asset), from int_chain__exposures. -#}
{% macro chain_assets(exposures) -%}
    select quarter_end, cusip, sum(holding_bn) as asset_holding_bn, max(price_impact_per_bn) as price_impact_per_bn
    from {{ exposures }}
    group by quarter_end, cusip
{%- endmacro %}
