-- Hyperscaler cash flows per company and fiscal quarter, as filed (docs/scores.md).
--
-- 10-Q cash-flow facts are year-to-date: quarter n = YTD(n) - YTD(n-1) within one fiscal year
-- (same period start), and Q4 = FY (10-K) - 9M. Fiscal quarters are aligned to the nearest
-- calendar quarter end by their period end (MSFT's June year, ORCL's May year).
--
-- As filed: each row is one version of a quarter, known from `known_from` (a filing date). A
-- quarter's first version comes with the filing that first reports its YTD figures; a later filing
-- that changes a figure (an amendment, a restated comparative) adds a version from its own date.
-- Each metric reads the highest-priority tag the company reported for that period (the company's
-- capex tag override first, then the tag seed); a metric with no fact for the period counts 0 and
-- is listed in `missing_metrics`.
{% set metrics = ['capex', 'operating_cash_flow', 'debt_proceeds', 'debt_repayments', 'securities_sales', 'securities_purchases'] %}
with

facts as (
    select * from {{ ref('stg_sec__companyfacts') }}
),

companies as (
    select * from {{ ref('hyperscalers') }}
),

financings as (
    select * from {{ ref('hyperscaler_financings') }}
),

company_tags as (
    select ticker, metric, tag, min(priority) as priority
    from (
        select companies.ticker, tags.metric, tags.tag, tags.priority
        from companies
        cross join {{ ref('sec_cashflow_tags') }} as tags
        union all
        select ticker, 'capex' as metric, capex_tag as tag, 0 as priority
        from companies
        where capex_tag is not null
    ) as candidates
    group by ticker, metric, tag
),

ytd_facts as (
    -- duration facts of 3, 6, 9 or 12 months: fiscal year to date
    select
        companies.ticker,
        company_tags.metric,
        company_tags.tag,
        company_tags.priority,
        facts.period_start as fiscal_year_start,
        facts.period_end,
        cast(round((facts.period_end - facts.period_start) / 91.3) as integer) as fiscal_quarter,
        facts.filed_date,
        facts.accession_number,
        facts.value_bn,
        facts.source_mode
    from facts
    inner join companies on facts.cik = companies.cik
    inner join company_tags on companies.ticker = company_tags.ticker and facts.tag = company_tags.tag
    where facts.period_end - facts.period_start between 80 and 380
),

chosen_tag as (
    select ticker, metric, fiscal_year_start, period_end, min(priority) as priority
    from ytd_facts
    group by ticker, metric, fiscal_year_start, period_end
),

fact_versions as (
    -- one value per metric, period and filing date (the latest accession of that day)
    select ticker, metric, fiscal_year_start, period_end, filed_date, value_bn
    from (
        select
            ytd_facts.*,
            row_number() over (
                partition by ytd_facts.ticker, ytd_facts.metric, ytd_facts.fiscal_year_start,
                             ytd_facts.period_end, ytd_facts.filed_date
                order by ytd_facts.accession_number desc
            ) as recency
        from ytd_facts
        inner join chosen_tag
            on ytd_facts.ticker = chosen_tag.ticker
            and ytd_facts.metric = chosen_tag.metric
            and ytd_facts.fiscal_year_start = chosen_tag.fiscal_year_start
            and ytd_facts.period_end = chosen_tag.period_end
            and ytd_facts.priority = chosen_tag.priority
    ) as ranked
    where recency = 1
),

periods as (
    select
        ticker,
        fiscal_year_start,
        period_end as fiscal_quarter_end,
        max(fiscal_quarter) as fiscal_quarter,
        min(filed_date) as first_filed,
        bool_or(source_mode = 'scenario') as is_synthetic
    from ytd_facts
    group by ticker, fiscal_year_start, period_end
),

quarters as (
    -- each quarter with the previous YTD period of its fiscal year; a quarter whose previous
    -- period was never reported cannot be decumulated and is left out
    select *
    from (
        select
            *,
            lag(fiscal_quarter_end) over w as previous_end,
            lag(fiscal_quarter) over w as previous_quarter
        from periods
        window w as (partition by ticker, fiscal_year_start order by fiscal_quarter_end)
    ) as linked
    where fiscal_quarter = 1 or previous_quarter = fiscal_quarter - 1
),

version_dates as (
    select distinct quarters.ticker, quarters.fiscal_year_start, quarters.fiscal_quarter_end,
                    fact_versions.filed_date as known_from
    from quarters
    inner join fact_versions
        on fact_versions.ticker = quarters.ticker
        and fact_versions.fiscal_year_start = quarters.fiscal_year_start
        and (fact_versions.period_end = quarters.fiscal_quarter_end
             or fact_versions.period_end = quarters.previous_end)
    where fact_versions.filed_date >= quarters.first_filed
),

grid as (
    select version_dates.*, quarters.previous_end, metrics.metric
    from version_dates
    inner join quarters
        on version_dates.ticker = quarters.ticker
        and version_dates.fiscal_quarter_end = quarters.fiscal_quarter_end
        and version_dates.fiscal_year_start = quarters.fiscal_year_start
    cross join (select distinct metric from company_tags) as metrics
),

as_of as (
    -- each YTD figure as known at the version date: the latest filing up to that date
    select
        grid.ticker, grid.fiscal_year_start, grid.fiscal_quarter_end, grid.known_from, grid.metric,
        max(case when fact_versions.period_end = grid.fiscal_quarter_end then fact_versions.value_bn end) as ytd_bn,
        max(case when fact_versions.period_end = grid.previous_end then fact_versions.value_bn end) as previous_ytd_bn
    from grid
    left join (
        select
            fact_versions.*,
            grid_dates.known_from as as_of_date,
            row_number() over (
                partition by fact_versions.ticker, fact_versions.metric, fact_versions.fiscal_year_start,
                             fact_versions.period_end, grid_dates.known_from
                order by fact_versions.filed_date desc
            ) as recency
        from fact_versions
        inner join (select distinct ticker, known_from from version_dates) as grid_dates
            on fact_versions.ticker = grid_dates.ticker and fact_versions.filed_date <= grid_dates.known_from
    ) as fact_versions
        on fact_versions.recency = 1
        and fact_versions.as_of_date = grid.known_from
        and fact_versions.ticker = grid.ticker
        and fact_versions.metric = grid.metric
        and fact_versions.fiscal_year_start = grid.fiscal_year_start
        and fact_versions.period_end in (grid.fiscal_quarter_end, grid.previous_end)
    group by grid.ticker, grid.fiscal_year_start, grid.fiscal_quarter_end, grid.known_from, grid.metric
),

pivoted as (
    select
        ticker, fiscal_year_start, fiscal_quarter_end, known_from,
        {% for m in metrics %}
        max(case when metric = '{{ m }}' then coalesce(ytd_bn - coalesce(previous_ytd_bn, 0), 0) end) as {{ m }}_bn,
        bool_or(metric = '{{ m }}' and ytd_bn is null) as {{ m }}_missing{{ ',' if not loop.last }}
        {% endfor %}
    from as_of
    group by ticker, fiscal_year_start, fiscal_quarter_end, known_from
),

changed as (
    -- keep a version only when a figure differs from the one before it
    select *
    from (
        select
            *,
            lag(known_from) over w as previous_version_from,
            {% for m in metrics %}
            lag({{ m }}_bn) over w as previous_{{ m }}_bn{{ ',' if not loop.last }}
            {% endfor %}
        from pivoted
        window w as (partition by ticker, fiscal_quarter_end order by known_from)
    ) as versions
    where previous_version_from is null
        {% for m in metrics %}
        or {{ m }}_bn is distinct from previous_{{ m }}_bn
        {% endfor %}
),

off_balance_sheet as (
    select quarters.ticker, quarters.fiscal_quarter_end, sum(financings.amount_bn) as off_balance_sheet_bn
    from quarters
    inner join financings
        on financings.company = quarters.ticker
        and financings.kind = 'off_balance_sheet'
        and cast(financings.date as date) > coalesce(quarters.previous_end, quarters.fiscal_year_start - 1)
        and cast(financings.date as date) <= quarters.fiscal_quarter_end
    group by quarters.ticker, quarters.fiscal_quarter_end
),

funded as (
    select
        changed.ticker,
        quarters.fiscal_year_start,
        changed.fiscal_quarter_end,
        quarters.fiscal_quarter,
        coalesce(quarters.previous_end + 1, quarters.fiscal_year_start) as fiscal_quarter_start,
        {{ calendar_quarter_end('changed.fiscal_quarter_end') }} as calendar_quarter_end,
        changed.known_from,
        row_number() over (partition by changed.ticker, changed.fiscal_quarter_end order by changed.known_from) as version,
        {% for m in metrics %}
        changed.{{ m }}_bn,
        {% endfor %}
        greatest(0, changed.debt_proceeds_bn - changed.debt_repayments_bn) as net_debt_funding_bn,
        greatest(0, changed.securities_sales_bn - changed.securities_purchases_bn) as net_securities_sales_bn,
        coalesce(off_balance_sheet.off_balance_sheet_bn, 0) as off_balance_sheet_bn,
        concat_ws(', ' {% for m in metrics %}, case when changed.{{ m }}_missing then '{{ m }}' end{% endfor %}) as missing_metrics,
        quarters.is_synthetic
    from changed
    inner join quarters
        on changed.ticker = quarters.ticker
        and changed.fiscal_quarter_end = quarters.fiscal_quarter_end
        and changed.fiscal_year_start = quarters.fiscal_year_start
    left join off_balance_sheet
        on changed.ticker = off_balance_sheet.ticker
        and changed.fiscal_quarter_end = off_balance_sheet.fiscal_quarter_end
)

select
    *,
    net_debt_funding_bn + net_securities_sales_bn + off_balance_sheet_bn as external_funding_bn,
    case when capex_bn > 0
        then 1 - (net_debt_funding_bn + net_securities_sales_bn + off_balance_sheet_bn) / capex_bn
    end as self_funded_share
from funded
