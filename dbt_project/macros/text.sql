{#- A number of USD billions in words for a reason column: thousands separated, one decimal below
    10 in size (a slack of +4.8 bn), whole billions above (-567 bn). Null in, null out. -#}
{% macro bn_text(x) -%}
    (case
        when ({{ x }}) is null then null
        when abs(cast({{ x }} as double)) < 9.95 then format('{:,.1f}', round(cast({{ x }} as double), 1) + 0.0)
        else format('{:,.0f}', round(cast({{ x }} as double)) + 0.0)
    end)
{%- endmacro %}
