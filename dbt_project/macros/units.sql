{#- Money into USD billions as an exact decimal. Sources publish at most three decimals of their own
    unit, so six decimals of billions hold every published value exactly (to the dollar for $mn
    sources). -#}
{% macro to_usd_bn(column, unit) -%}
    cast(round({{ column }} / {{ {'usd': 1000000000, 'usd_mn': 1000, 'usd_bn': 1}[unit] }}, 6) as decimal(18, 6))
{%- endmacro %}

{#- The same for a unit held in a column ('usd', 'usd_mn' or 'usd_bn'). -#}
{% macro to_usd_bn_by(column, unit_column) -%}
    cast(round({{ column }} / case {{ unit_column }} when 'usd' then 1000000000 when 'usd_mn' then 1000 when 'usd_bn' then 1 end, 6) as decimal(18, 6))
{%- endmacro %}
