-- What the quarterly chain models read for each quarter, as one fingerprint per quarter
-- (macros/quarterly.sql): the quarter's 13F holdings and the previous quarter's
-- (int_holdings__quarter_inputs), the quarter's liquidity per asset (int_prices__liquidity: prices
-- of the quarter in progress change only that quarter's row), the holder types of every filer of the
-- quarter, the security map's asset group and spec weight of every CUSIP the quarter's positions
-- hold (int_securities__asset_groups: a CUSIP newly mapped by a new OpenFIGI answer, 13(f) list row
-- or filers' name changes the quarters that hold it, and only those), and the project's definitions
-- (seeds and vars included, so a changed asset_group_rules or asset_taxonomy rebuilds every quarter).
with liquidity as (
    select l.quarter_end, md5(string_agg(cast(l as varchar), '|' order by l.ticker)) as liquidity_fingerprint
    from {{ ref('int_prices__liquidity') }} as l
    group by l.quarter_end
),

holders as (
    select f.period_of_report as quarter_end, md5(string_agg(cast(h as varchar), '|' order by h.cik)) as holders_fingerprint
    from (select distinct cik, period_of_report from {{ ref('stg_sec13f__submissions') }}) as f
    join {{ ref('int_holdings__holder_types') }} as h on h.cik = f.cik
    group by f.period_of_report
),

securities as (
    select p.quarter_end, md5(string_agg(concat_ws(' ', g.cusip, g.asset_group, g.spec_weight), '|' order by g.cusip)) as securities_fingerprint
    from (select distinct period_of_report as quarter_end, cusip from {{ ref('int_holdings__positions') }}) as p
    join {{ ref('int_securities__asset_groups') }} as g on g.cusip = p.cusip
    group by p.quarter_end
)

select
    q.quarter_end,
    md5(q.inputs_fingerprint || '|' || coalesce(l.liquidity_fingerprint, '') || '|'
        || coalesce(h.holders_fingerprint, '') || '|' || coalesce(s.securities_fingerprint, '') || '|'
        || '{{ definitions_fingerprint() }}') as inputs_fingerprint
from {{ ref('int_holdings__quarter_inputs') }} as q
left join liquidity as l on l.quarter_end = q.quarter_end
left join holders as h on h.quarter_end = q.quarter_end
left join securities as s on s.quarter_end = q.quarter_end
