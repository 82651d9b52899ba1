-- Each 13F holdings filing's VALUE unit, resolved and checked (docs/scores.md, "13F units"):
-- 1. the rule: thousands of USD for filings before 2023-01-03, USD after (stg_sec13f__submissions);
-- 2. the evidence: the filing's implied prices (VALUE / shares in the rule's unit) against the
--    reference price of each security (int_holdings__reference_prices): their median ratio is ~1
--    when the rule holds and ~1000 (or ~1/1000) when the whole filing, its summary page included,
--    is in the other unit. Without any priced line, the summary page decides: the lines' total
--    ~1000 times (1/1000 of) the declared total means lines in the other unit than the total;
-- 3. the summary page: the lines' total in USD within var('units_total_tolerance_share') of the
--    declared total (read in the resolved unit or in the rule's).
-- A filing the evidence puts in the other unit is converted with it (unit_status 'corrected');
-- one that fits neither unit keeps the rule's unit and is flagged ('unresolved'); one that does
-- not add up to its summary page is flagged too. All are kept: fct_13f_unit_reconciliation counts
-- them per quarter and fct_13f_unit_exceptions lists them.
-- Order-independent (macros/threads.sql): VALUE is a whole number, so its sums are exact in a double
-- below 2^53 whatever the order; the rest are counts and a median.
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='period_of_report', on_schema_change='append_new_columns',
          meta={'order_independent': true}) }}
{%- set inputs = ref('int_holdings__quarter_inputs') -%}
{%- set tolerance = var('units_total_tolerance_share') %}
{%- set band = var('units_price_ratio_band') %}
with submissions as (
    select
        accession_number, cik, period_of_report, filing_date, submission_type, value_unit_by_rule,
        case value_unit_by_rule when 'usd_thousands' then 1000.0 else 1.0 end as rule_factor,
        case value_unit_by_rule when 'usd_thousands' then 'usd' else 'usd_thousands' end as other_unit,
        source_mode
    from {{ quarters_to_build(ref('stg_sec13f__submissions'), inputs, 'period_of_report') }}
    where submission_type in ('13F-HR', '13F-HR/A')
),

totals as (
    select accession_number, count(*) as lines, sum(cast(value_reported as double)) as value_reported_total
    from {{ ref('stg_sec13f__infotable') }}
    where accession_number in (select accession_number from submissions)
    group by accession_number
),

priced as (
    select
        i.accession_number,
        count(*) as priced_lines,
        {{ median('cast(i.value_reported as double) * s.rule_factor / i.shares_or_principal / r.reference_price_usd') }} as price_ratio
    from {{ ref('stg_sec13f__infotable') }} as i
    join submissions as s on s.accession_number = i.accession_number
    join {{ ref('int_holdings__reference_prices') }} as r
        on r.period_of_report = s.period_of_report and r.cusip = i.cusip
    where not i.is_option
      and i.shares_or_principal_type = 'SH'
      and i.shares_or_principal > 0
      and i.value_reported > 0
      and r.reference_price_usd > 0
    group by i.accession_number
),

evidence as (
    select
        s.*,
        coalesce(t.lines, 0) as lines,
        coalesce(t.value_reported_total, 0) as value_reported_total,
        p.table_entry_total,
        p.table_value_total,
        coalesce(x.priced_lines, 0) as priced_lines,
        x.price_ratio,
        coalesce(t.value_reported_total, 0) / nullif(cast(p.table_value_total as double), 0) as total_ratio
    from submissions as s
    left join totals as t on t.accession_number = s.accession_number
    left join {{ ref('stg_sec13f__summarypages') }} as p on p.accession_number = s.accession_number
    left join priced as x on x.accession_number = s.accession_number
),

-- the factor the other unit puts the lines at, relative to the rule's reading: a filing due in
-- thousands that reported dollars reads 1000 times too high; one due in dollars that reported
-- thousands, 1000 times too low
judged as (
    select
        *,
        case when value_unit_by_rule = 'usd_thousands' then 1000.0 else 0.001 end as other_unit_ratio,
        case
            when price_ratio is not null then 'prices'
            when total_ratio is not null then 'summary_total'
            else 'none'
        end as unit_evidence
    from evidence
),

resolved as (
    select
        *,
        case
            when unit_evidence = 'prices' then
                case
                    when price_ratio between 1.0 / {{ band }} and {{ band }} then 'rule'
                    when price_ratio between other_unit_ratio / {{ band }} and other_unit_ratio * {{ band }} then 'corrected'
                    else 'unresolved'
                end
            when unit_evidence = 'summary_total' then
                case
                    when abs(total_ratio - 1) <= {{ tolerance }} then 'rule'
                    when abs(total_ratio / other_unit_ratio - 1) <= {{ tolerance }} then 'corrected'
                    else 'unresolved'
                end
            else 'rule'
        end as unit_status
    from judged
),

in_usd as (
    select
        *,
        case when unit_status = 'corrected' then other_unit else value_unit_by_rule end as value_unit,
        case when unit_status = 'corrected' then 1000.0 / rule_factor else rule_factor end as value_factor
    from resolved
),

checked as (
    select
        *,
        value_reported_total * value_factor as value_usd,
        -- the declared total may be in the resolved unit (a filer consistent with itself) or in
        -- the rule's (lines in the other unit than their own summary page)
        case
            when table_value_total is null then null
            when table_value_total = 0 then lines = 0
            else least(
                abs(value_reported_total / table_value_total - 1),
                abs(value_reported_total * value_factor / (table_value_total * rule_factor) - 1)
            ) <= {{ tolerance }}
        end as total_reconciles
    from in_usd
)

select
    accession_number,
    cik,
    period_of_report,
    filing_date,
    submission_type,
    value_unit_by_rule,
    value_unit,
    unit_status,
    unit_evidence,
    lines,
    table_entry_total,
    priced_lines,
    price_ratio,
    value_reported_total,
    table_value_total,
    value_usd,
    total_reconciles,
    unit_status = 'unresolved' or not coalesce(total_reconciles, true) as is_flagged,
    source_mode
from checked
order by accession_number
