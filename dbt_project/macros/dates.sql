{#- The Wednesday that ends the (Thursday..Wednesday) week holding a date: H.4.1 weeks.
    DuckDB's dayofweek counts Sunday as 0, so Wednesday is 3. -#}
{% macro week_ending(date_column) -%}
    cast({{ date_column }} + cast((10 - dayofweek({{ date_column }})) % 7 as integer) as date)
{%- endmacro %}

{#- The calendar quarter end nearest a fiscal period end (2025-08-31 -> 2025-09-30,
    2025-09-27 -> 2025-09-30, 2025-11-30 -> 2025-12-31): fiscal years aligned by period end. -#}
{% macro calendar_quarter_end(date_column) -%}
    cast(date_trunc('quarter', {{ date_column }} + interval 45 day) - interval 1 day as date)
{%- endmacro %}

{#- The last day of the calendar quarter holding a date. -#}
{% macro quarter_end(date_column) -%}
    cast(date_trunc('quarter', {{ date_column }}) + interval 3 month - interval 1 day as date)
{%- endmacro %}

{#- The last day of the calendar quarter before the one holding a date. -#}
{% macro previous_quarter_end(date_column) -%}
    cast(date_trunc('quarter', {{ date_column }}) - interval 1 day as date)
{%- endmacro %}

{#- A date some days earlier. -#}
{% macro days_before(date_column, days) -%}
    cast({{ date_column }} - interval {{ days }} day as date)
{%- endmacro %}

{#- The value at the largest ordering key of a group (DuckDB's arg_max). -#}
{% macro value_at_max(value_column, order_column) -%}
    arg_max({{ value_column }}, {{ order_column }})
{%- endmacro %}
