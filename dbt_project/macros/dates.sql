{#- The Wednesday that ends the (Thursday..Wednesday) week holding a date: H.4.1 weeks.
    DuckDB's dayofweek counts Sunday as 0, so Wednesday is 3. -#}
{% macro week_ending(date_column) -%}
    cast({{ date_column }} + cast((10 - dayofweek({{ date_column }})) % 7 as integer) as date)
{%- endmacro %}
