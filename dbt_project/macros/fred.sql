{#- FRED observations with IOER and IORB as one policy-rate series, IORB: IORB replaced IOER on
    2021-07-29 (IOER's last FRED and Board DDP value is 2021-07-28), so IOER rows from that date on
    are dropped and the rest renamed. -#}
{% macro fred_iorb_spliced(relation) -%}
    select
        case when series_id = 'IOER' then 'IORB' else series_id end as series_id,
        observation_date, value_bn, value_pct, source_mode
    from {{ relation }}
    where not (series_id = 'IOER' and observation_date >= date '2021-07-29')
{%- endmacro %}
