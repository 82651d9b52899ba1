-- The funding-flows panel: one row per H.4.1 week (ending Wednesday), each series at its last
-- published value within the week (daily series: the Wednesday, or the last day before it when
-- the Wednesday has no value).
with

fred as (
    select * from {{ ref('int_fred__observations_in_units') }}
),

tga as (
    select * from {{ ref('int_treasury__tga_daily') }}
),

reverse_repo as (
    select * from {{ ref('stg_nyfed__reverse_repo_operations') }}
),

-- IORB replaced IOER on 2021-07-29: one policy-rate series across both.
fred_spliced as (
    {{ fred_iorb_spliced('fred') }}
),

fred_last_in_week as (
    select *
    from (
        select
            *,
            {{ week_ending('observation_date') }} as week_ending,
            row_number() over (
                partition by series_id, {{ week_ending('observation_date') }}
                order by observation_date desc
            ) as recency
        from fred_spliced
    ) as ranked
    where recency = 1
),

fred_weekly as (
    select
        week_ending,
        max(case when series_id = 'WALCL' then value_bn end) as fed_total_assets_bn,
        max(case when series_id = 'TREAST' then value_bn end) as fed_treasury_holdings_bn,
        max(case when series_id = 'WTREGEN' then value_bn end) as tga_h41_bn,
        max(case when series_id = 'RRPONTSYD' then value_bn end) as on_rrp_bn,
        max(case when series_id = 'WRESBAL' then value_bn end) as reserves_bn,
        max(case when series_id = 'DGS2' then value_pct end) as yield_2y_pct,
        max(case when series_id = 'DGS10' then value_pct end) as yield_10y_pct,
        max(case when series_id = 'DGS30' then value_pct end) as yield_30y_pct,
        max(case when series_id = 'THREEFYTP10' then value_pct end) as term_premium_10y_pct,
        max(case when series_id = 'BAMLC0A0CM' then value_pct end) as ig_oas_pct,
        max(case when series_id = 'BAMLH0A0HYM2' then value_pct end) as hy_oas_pct,
        max(case when series_id = 'SOFR' then value_pct end) as sofr_pct,
        max(case when series_id = 'IORB' then value_pct end) as iorb_pct,
        bool_or(source_mode = 'scenario') as is_synthetic
    from fred_last_in_week
    group by week_ending
),

tga_weekly as (
    select week_ending, tga_close_bn as tga_bn, record_date as tga_record_date
    from (
        select
            *,
            {{ week_ending('record_date') }} as week_ending,
            row_number() over (partition by {{ week_ending('record_date') }} order by record_date desc) as recency
        from tga
        where tga_close_bn is not null
    ) as ranked
    where recency = 1
),

reverse_repo_weekly as (
    select week_ending, accepted_bn as on_rrp_nyfed_bn
    from (
        select
            operation_date,
            sum(accepted_bn) as accepted_bn,
            {{ week_ending('operation_date') }} as week_ending,
            row_number() over (partition by {{ week_ending('operation_date') }} order by operation_date desc) as recency
        from reverse_repo
        where not is_small_value and term = 'Overnight'
        group by operation_date
    ) as ranked
    where recency = 1
),

weeks as (
    -- The H.4.1 calendar: every week the Fed's balance sheet was published.
    select week_ending from fred_weekly where fed_total_assets_bn is not null
)

select
    weeks.week_ending,
    fred_weekly.fed_total_assets_bn,
    fred_weekly.fed_treasury_holdings_bn,
    tga_weekly.tga_bn,
    tga_weekly.tga_record_date,
    fred_weekly.tga_h41_bn,
    fred_weekly.on_rrp_bn,
    reverse_repo_weekly.on_rrp_nyfed_bn,
    fred_weekly.reserves_bn,
    fred_weekly.yield_2y_pct,
    fred_weekly.yield_10y_pct,
    fred_weekly.yield_30y_pct,
    fred_weekly.term_premium_10y_pct,
    fred_weekly.ig_oas_pct,
    fred_weekly.hy_oas_pct,
    fred_weekly.sofr_pct,
    fred_weekly.iorb_pct,
    fred_weekly.is_synthetic
from weeks
left join fred_weekly on weeks.week_ending = fred_weekly.week_ending
left join tga_weekly on weeks.week_ending = tga_weekly.week_ending
left join reverse_repo_weekly on weeks.week_ending = reverse_repo_weekly.week_ending
