-- Holder type per filer: the seed's CIK (or CIK range) first, else its exact manager name, else
-- 'other'; leverage b_j per type from vars (13F reports neither leverage nor total AUM).
with filers as (
    select cik, max(filer_name) as filer_name, bool_or(is_synthetic) as is_synthetic
    from {{ ref('int_holdings__positions') }}
    group by cik
),

matched as (
    select
        f.cik, f.filer_name, f.is_synthetic,
        coalesce(by_cik.holder_id, by_name.holder_id) as holder_id,
        coalesce(by_cik.holder_type, by_name.holder_type, 'other') as holder_type
    from filers as f
    left join {{ ref('holder_types') }} as by_cik
        on f.cik between by_cik.cik_from and by_cik.cik_to
    left join {{ ref('holder_types') }} as by_name
        on by_name.cik_from is null and upper(by_name.filer_name) = upper(f.filer_name)
)

select
    cik, filer_name, holder_id, holder_type, is_synthetic,
    cast(case holder_type
        when 'funder' then {{ var('chain_leverage_funder') }}
        when 'hedge_fund' then {{ var('chain_leverage_hedge_fund') }}
        else {{ var('chain_leverage_other') }} end as double) as leverage
from matched
