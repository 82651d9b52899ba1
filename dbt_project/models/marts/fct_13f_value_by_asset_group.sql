-- Each quarter's 13F holdings value by asset group of the security map, 'unmapped' included, so
-- the groups add up to the quarter's whole value (fct_13f_mapping_coverage.value_bn).
with positions as (
    select p.period_of_report as quarter_end, coalesce(g.asset_group, 'unmapped') as asset_group,
           p.cusip, p.value_usd, p.is_synthetic
    from {{ ref('int_holdings__positions') }} as p
    left join {{ ref('int_securities__asset_groups') }} as g on g.cusip = p.cusip
),

groups as (
    select quarter_end, asset_group, count(distinct cusip) as securities, sum(value_usd) as value_usd,
           bool_or(is_synthetic) as is_synthetic
    from positions
    group by quarter_end, asset_group
)

select
    quarter_end,
    cast(asset_group as varchar) as asset_group,
    cast(securities as integer) as securities,
    {{ to_usd_bn('value_usd', 'usd') }} as value_bn,
    cast(value_usd / nullif(sum(value_usd) over (partition by quarter_end), 0) as double) as value_share,
    cast(is_synthetic as boolean) as is_synthetic
from groups
