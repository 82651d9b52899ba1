-- The asset group and spec weight of every security 13F filers hold (docs/securities_map.md):
-- the seed asset_taxonomy names some (its CUSIPs override everything); for the others, the
-- asset_group_rules rule of lowest priority whose pattern matches a field of the security's
-- evidence (int_securities__evidence; regular expressions from the seed, matched case-blind). A
-- security no rule matches (not on the SEC's list, unknown to OpenFIGI, named like nothing the rules
-- know) is 'unmapped' with the default spec weight: its value stays in every total under that name.
with evidence as (
    select * from {{ ref('int_securities__evidence') }}
),

securities as (
    select distinct cusip from evidence
),

matches as (
    select e.cusip, r.rule_id, r.priority, r.asset_group, r.spec_weight, r.underlying, e.evidence_source
    from evidence as e
    join {{ ref('asset_group_rules') }} as r
        on r.field = e.field and regexp_matches(e.value, r.pattern, 'i')
),

ruled as (
    select *
    from matches
    qualify row_number() over (partition by cusip order by priority, rule_id, evidence_source) = 1
)

select
    s.cusip,
    coalesce(t.asset_group, r.asset_group, 'unmapped') as asset_group,
    coalesce(t.spec_weight, r.spec_weight, {{ var('chain_spec_weight_default') }}) as spec_weight,
    r.underlying,
    case when t.cusip is not null then 'asset_taxonomy' when r.rule_id is not null then 'rule:' || r.rule_id end as mapped_by,
    case when t.cusip is not null then 'asset_taxonomy' else r.evidence_source end as evidence_source,
    t.cusip is not null or r.rule_id is not null as is_mapped
from securities as s
left join {{ ref('asset_taxonomy') }} as t on t.cusip = s.cusip
left join ruled as r on r.cusip = s.cusip
