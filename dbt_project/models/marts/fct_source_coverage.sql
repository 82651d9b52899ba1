-- Which sources this warehouse holds and the dates they cover: one row per raw table, and one per
-- FRED series (the seed's list, so a series without a file shows as not provided). A source that
-- was never provided has no rows and says why; the marts start where their required inputs do.
with

status as (
    select table_name, provided, detail from {{ source('raw', 'source_status') }}
),

tables as (
    {% set tables = [
        ('fiscal_data', 'dts_operating_cash_balance', 'record_date'),
        ('fiscal_data', 'dts_public_debt_transactions', 'record_date'),
        ('fiscal_data', 'treasury_auctions', 'auction_date'),
        ('fiscal_data', 'mspd_debt_outstanding', 'record_date'),
        ('nyfed', 'nyfed_reverse_repo_operations', 'operation_date'),
        ('sec', 'sec_companyfacts', 'filed'),
        ('sec_13f', 'sec13f_submissions', 'period_of_report'),
        ('sec_13f', 'sec13f_coverpages', 'report_calendar_or_quarter'),
        ('sec_13f', 'sec13f_summarypages', none),
        ('sec_13f', 'sec13f_infotable', none),
        ('sec_13f_list', 'sec13f_securities_list', 'list_quarter_end'),
        ('openfigi', 'openfigi_mappings', 'fetched_on'),
        ('stooq', 'stooq_daily_prices', 'price_date'),
        ('coinbase', 'coinbase_daily_candles', 'price_date'),
    ] %}
    {% for source_name, table, date_column in tables %}
    select
        '{{ source_name }}' as source,
        '{{ table }}' as table_name,
        cast(null as varchar) as series_id,
        {% if date_column %}min({{ date_column }}){% else %}null{% endif %}::date as first_date,
        {% if date_column %}max({{ date_column }}){% else %}null{% endif %}::date as last_date,
        count(*) as row_count
    from {{ source('raw', table) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

fred as (
    select
        'fred' as source,
        'fred_observations' as table_name,
        seed.series_id,
        min(obs.observation_date)::date as first_date,
        max(obs.observation_date)::date as last_date,
        count(obs.observation_date) as row_count
    from {{ ref('fred_series') }} as seed
    left join {{ source('raw', 'fred_observations') }} as obs
        on obs.series_id = seed.series_id and obs.value is not null
    group by seed.series_id
),

unioned as (
    select * from tables
    union all
    select * from fred
)

select
    unioned.source,
    unioned.table_name,
    unioned.series_id,
    -- A table is provided when its newest run read it; a FRED series when it has values.
    case
        when unioned.series_id is not null then unioned.row_count > 0
        else coalesce(status.provided, unioned.row_count > 0)
    end as provided,
    unioned.first_date,
    unioned.last_date,
    unioned.row_count,
    case
        when unioned.series_id is not null and unioned.row_count = 0 then 'no file or no value for this series'
        when unioned.series_id is null then nullif(status.detail, '')
    end as detail
from unioned
left join status on status.table_name = unioned.table_name
