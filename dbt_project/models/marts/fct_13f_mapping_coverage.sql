-- How much of each quarter's 13F holdings value the security map identifies (docs/securities_map.md):
-- positions' value whose CUSIP has an asset group from the taxonomy or a rule, over all positions'
-- value (mapped_value_share; target >= 0.95 on the scenario). Unmapped value is not dropped: it is
-- in value_bn and, by group, in fct_13f_value_by_asset_group as 'unmapped'. Beside it, the value of
-- NEW HOLDINGS amendments whose report is not loaded (int_holdings__orphan_amendments), which
-- reaches no position.
with positions as (
    select p.period_of_report as quarter_end, p.cusip, p.value_usd, p.is_synthetic,
           coalesce(g.is_mapped, false) as is_mapped, g.mapped_by
    from {{ ref('int_holdings__positions') }} as p
    left join {{ ref('int_securities__asset_groups') }} as g on g.cusip = p.cusip
),

quarters as (
    select
        quarter_end,
        count(distinct cusip) as securities,
        count(distinct case when is_mapped then cusip end) as securities_mapped,
        sum(value_usd) as value_usd,
        sum(case when is_mapped then value_usd else 0 end) as mapped_value_usd,
        sum(case when mapped_by = 'asset_taxonomy' then value_usd else 0 end) as taxonomy_value_usd,
        bool_or(is_synthetic) as is_synthetic
    from positions
    group by quarter_end
),

orphans as (
    select period_of_report as quarter_end, count(*) as orphan_amendments, sum(value_usd) as orphan_value_usd
    from {{ ref('int_holdings__orphan_amendments') }}
    group by period_of_report
)

select
    q.quarter_end,
    cast(q.securities as integer) as securities,
    cast(q.securities_mapped as integer) as securities_mapped,
    {{ to_usd_bn('q.value_usd', 'usd') }} as value_bn,
    {{ to_usd_bn('q.mapped_value_usd', 'usd') }} as mapped_value_bn,
    {{ to_usd_bn('(q.value_usd - q.mapped_value_usd)', 'usd') }} as unmapped_value_bn,
    cast(q.mapped_value_usd / nullif(q.value_usd, 0) as double) as mapped_value_share,
    {{ to_usd_bn('q.taxonomy_value_usd', 'usd') }} as taxonomy_value_bn,
    cast(coalesce(o.orphan_amendments, 0) as integer) as orphan_new_holdings_amendments,
    {{ to_usd_bn('coalesce(o.orphan_value_usd, 0)', 'usd') }} as orphan_new_holdings_value_bn,
    cast(q.is_synthetic as boolean) as is_synthetic
from quarters as q
left join orphans as o on o.quarter_end = q.quarter_end
