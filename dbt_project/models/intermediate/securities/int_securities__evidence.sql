-- What is known of each security 13F filers hold, one row per (CUSIP, field, value), from the
-- public sources (docs/securities_map.md): the SEC's 13(f) list (its newest line for the CUSIP that
-- is not an option line), OpenFIGI's answer, and the filers' own name and class for it (the most
-- frequent over their holdings lines). A title is a name with its class, as each source prints them
-- ('ISHARES TR' + 'CORE S&P500 ETF' on the list; 'ISHARES TR CORE S&P 500 ETF' + 'ETF' in a filing). int_securities__asset_groups matches asset_group_rules
-- against it. Option lines name their underlying's CUSIP: held securities are the holdings lines'.
with held as (
    select cusip, name_of_issuer, title_of_class
    from {{ ref('stg_sec13f__infotable') }}
    where not is_option and cusip is not null
),

filers as (
    select cusip, mode(upper(name_of_issuer)) as filer_name, mode(upper(title_of_class)) as filer_class
    from held
    group by cusip
),

listed as (
    select cusip, issuer_name, issuer_description
    from {{ ref('stg_sec13f__securities_list') }}
    where upper(issuer_description) not in ('PUT', 'CALL')
    qualify row_number() over (partition by cusip order by list_quarter_end desc, issuer_description) = 1
),

openfigi as (
    select * from {{ ref('stg_openfigi__mappings') }}
),

securities as (
    select f.cusip, f.filer_name, f.filer_class, l.issuer_name, l.issuer_description,
           o.openfigi_status, o.figi_name, o.security_type
    from filers as f
    left join listed as l on l.cusip = f.cusip
    left join openfigi as o on o.cusip = f.cusip
),

unpivoted as (
    select cusip, unnest([
        {'field': 'cusip', 'value': cusip, 'evidence_source': 'infotable'},
        {'field': 'title', 'value': concat_ws(' ', filer_name, filer_class), 'evidence_source': 'infotable'},
        {'field': 'class', 'value': filer_class, 'evidence_source': 'infotable'},
        {'field': 'title', 'value': concat_ws(' ', issuer_name, issuer_description), 'evidence_source': 'sec_13f_list'},
        {'field': 'class', 'value': issuer_description, 'evidence_source': 'sec_13f_list'},
        {'field': 'listed', 'value': case when issuer_name is not null then 'YES' end, 'evidence_source': 'sec_13f_list'},
        {'field': 'title', 'value': figi_name, 'evidence_source': 'openfigi'},
        {'field': 'security_type', 'value': security_type, 'evidence_source': 'openfigi'},
        {'field': 'openfigi_status', 'value': openfigi_status, 'evidence_source': 'openfigi'}
    ]) as e
    from securities
)

select cusip, e.field as field, upper(e.value) as value, e.evidence_source as evidence_source
from unpivoted
where e.value is not null
