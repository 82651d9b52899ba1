{#- Two sources of one number: FRED's RRPONTSYD (which the bathtub reads) and the NY Fed's own
    operation results (overnight, small-value test operations left out), summed per day. They must
    agree to FRED's precision (3 decimals of $bn) on every day both have published; a day only one
    has published is a lag, not a disagreement. A warning, like the other cross-source checks: the
    marts are still built. Attached in Dagster to int_fred__observations_in_units. -#}
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_fred__observations_in_units'}}}) }}

with nyfed as (
    select operation_date, sum(accepted_bn) as accepted_bn
    from {{ ref('stg_nyfed__reverse_repo_operations') }}
    where term = 'Overnight' and not is_small_value
    group by operation_date
),

fred as (
    select observation_date, value_bn
    from {{ ref('int_fred__observations_in_units') }}
    where series_id = 'RRPONTSYD'
)

select fred.observation_date, fred.value_bn as fred_on_rrp_bn, nyfed.accepted_bn as nyfed_accepted_bn
from fred
join nyfed on nyfed.operation_date = fred.observation_date
where abs(fred.value_bn - nyfed.accepted_bn) > 0.001
