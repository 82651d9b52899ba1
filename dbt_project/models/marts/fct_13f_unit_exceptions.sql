-- The 13F filings whose VALUE unit was corrected or could not be resolved, or whose lines do not
-- add up to their summary page: one row each, with the evidence (docs/scores.md "13F units").
-- All their lines stay in the holdings; this is the report of what to look at.
{{ config(materialized='incremental', incremental_strategy='quarters', unique_key='quarter_end', on_schema_change='append_new_columns') }}
{%- set inputs = ref('int_holdings__quarter_inputs') -%}
select
    period_of_report as quarter_end,
    cast(accession_number as varchar) as accession_number,
    cast(cik as bigint) as cik,
    filing_date,
    cast(submission_type as varchar) as submission_type,
    cast(value_unit_by_rule as varchar) as value_unit_by_rule,
    cast(value_unit as varchar) as value_unit,
    cast(unit_status as varchar) as unit_status,
    cast(unit_evidence as varchar) as unit_evidence,
    cast(lines as bigint) as lines,
    cast(table_entry_total as bigint) as table_entry_total,
    cast(priced_lines as bigint) as priced_lines,
    cast(price_ratio as double) as price_ratio,
    cast(value_reported_total as double) as value_reported_total,
    cast(table_value_total as double) as table_value_total,
    {{ to_usd_bn('value_usd', 'usd') }} as value_bn,
    cast(total_reconciles as boolean) as total_reconciles,
    cast(is_flagged as boolean) as is_flagged,
    cast(source_mode = 'scenario' as boolean) as is_synthetic
from {{ quarters_to_build(ref('int_holdings__filing_units'), inputs, 'period_of_report') }}
where unit_status <> 'rule' or is_flagged
