-- 13F VALUE units per quarter (period of report), docs/scores.md "13F units": how many holdings
-- filings reconcile with their summary page within var('units_total_tolerance_share'), how many
-- were read in the other unit than the SEC's date rule gives (corrected), how many fit neither
-- (flagged, kept in the rule's unit), and the value involved. Per filing: fct_13f_unit_exceptions.
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='quarter_end', on_schema_change='append_new_columns') }}
{%- set inputs = ref('int_holdings__quarter_inputs') -%}
with filings as (
    select * from {{ quarters_to_build(ref('int_holdings__filing_units'), inputs, 'period_of_report') }}
),

quarters as (
    select
        period_of_report as quarter_end,
        count(*) as filings,
        count(table_value_total) as filings_with_summary,
        sum(case when total_reconciles and unit_status <> 'unresolved' then 1 else 0 end) as filings_reconciled,
        sum(case when unit_status = 'corrected' then 1 else 0 end) as filings_unit_corrected,
        sum(case when unit_status = 'unresolved' then 1 else 0 end) as filings_unit_unresolved,
        sum(case when is_flagged then 1 else 0 end) as filings_flagged,
        sum(case when unit_evidence = 'prices' then 1 else 0 end) as filings_checked_by_prices,
        sum(value_usd) as value_usd,
        sum(case when unit_status = 'corrected' then value_usd else 0 end) as value_corrected_usd,
        sum(case when is_flagged then value_usd else 0 end) as value_flagged_usd,
        bool_or(source_mode = 'scenario') as is_synthetic
    from filings
    group by period_of_report
)

select
    quarter_end,
    cast(filings as integer) as filings,
    cast(filings_with_summary as integer) as filings_with_summary,
    cast(filings_reconciled as integer) as filings_reconciled,
    cast(filings_reconciled as double) / nullif(filings_with_summary, 0) as reconciled_share,
    cast(filings_checked_by_prices as integer) as filings_checked_by_prices,
    cast(filings_unit_corrected as integer) as filings_unit_corrected,
    cast(filings_unit_unresolved as integer) as filings_unit_unresolved,
    cast(filings_flagged as integer) as filings_flagged,
    {{ to_usd_bn('value_usd', 'usd') }} as value_bn,
    {{ to_usd_bn('value_corrected_usd', 'usd') }} as value_corrected_bn,
    {{ to_usd_bn('value_flagged_usd', 'usd') }} as value_flagged_bn,
    cast(is_synthetic as boolean) as is_synthetic
from quarters
