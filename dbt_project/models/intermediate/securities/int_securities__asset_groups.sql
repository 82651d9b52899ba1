-- The asset group and spec weight of every security 13F filers hold (docs/securities_map.md):
-- the seed asset_taxonomy names some (its CUSIPs override everything); for the others, the
-- asset_group_rules rule of lowest priority whose pattern matches a field of the security's
-- evidence (int_securities__evidence; regular expressions from the seed, matched case-blind). A
-- security no rule matches (not on the SEC's list, unknown to OpenFIGI, named like nothing the rules
-- know) is 'unmapped' with the default spec weight: its value stays in every total under that name.
-- Order-independent (macros/threads.sql): no aggregate of doubles; the rule a security takes is
-- the first by (priority, rule_id, evidence_source), and rows tied on all three carry the same rule.
{{ config(meta={'order_independent': true}) }}
with evidence as (
    select * from {{ ref('int_securities__evidence') }}
),

securities as (
    select distinct cusip from evidence
),

-- Each distinct value of a field is matched once, then given to every security with that value:
-- a pattern read from a column is compiled again for each row it meets. At the real-size quarter
-- of bench/chain_scale.py (72,572 evidence rows, half of them repeats) matching every row took
-- 2.8-3.3 s, this 1.6-1.7 s. Materialized: else the optimizer joins the values back to every row
-- before it matches.
value_matches as materialized (
    select v.field, v.value, r.rule_id, r.priority, r.asset_group, r.spec_weight, r.underlying
    from (select distinct field, value from evidence) as v
    join {{ ref('asset_group_rules') }} as r
        on r.field = v.field and regexp_matches(v.value, r.pattern, 'i')
),

matches as (
    select e.cusip, m.rule_id, m.priority, m.asset_group, m.spec_weight, m.underlying, e.evidence_source
    from evidence as e
    join value_matches as m on m.field = e.field and m.value = e.value
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
order by s.cusip
