{#- Hysteresis for a weekly call (docs/scores.md, "held against single-week flips"): select every
    column of `relation` plus
      call_run_weeks   weeks the call has lasted, this week included (no call, null, counts as one)
      held_call        the call of the latest week whose run had lasted `min_weeks` weeks by then:
                       the same as switching only after `min_weeks` weeks in a row of a new call;
                       null until the first run lasts that long (and after a run of no call does)
      held_call_weeks  weeks held_call has lasted, this week included
    per `partition_by` (a column, or none), in `order_by` order. Every held run but the first and the
    last lasts at least `min_weeks` weeks (tests/dbt/test_absorption_explained.py). -#}
{% macro hold_calls(relation, call, min_weeks, partition_by=none, order_by='week_ending') -%}
    {%- set part = 'partition by ' ~ partition_by ~ ' ' if partition_by else '' -%}
    {%- set run_part = 'partition by ' ~ (partition_by ~ ', ' if partition_by else '') -%}
    {%- set running = 'over (' ~ part ~ 'order by ' ~ order_by ~ ' rows between unbounded preceding and current row)' -%}
    select
        held.*,
        row_number() over ({{ run_part }}held_run_number order by {{ order_by }}) as held_call_weeks
    from (
        select held_flagged.*, sum(starts_held_run) {{ running }} as held_run_number
        from (
            select
                named.*,
                {{ _starts_run('held_call', part, order_by) }} as starts_held_run
            from (
                select
                    counted.*,
                    case when held_run_id is not null
                        then first_value({{ call }}) over ({{ run_part }}held_run_id order by {{ order_by }}) end as held_call
                from (
                    select
                        runs.*,
                        last_value(case when call_run_weeks >= {{ min_weeks }} then call_run_number end ignore nulls)
                            {{ running }} as held_run_id
                    from (
                        select
                            numbered.*,
                            row_number() over ({{ run_part }}call_run_number order by {{ order_by }}) as call_run_weeks
                        from (
                            select flagged.*, sum(starts_call_run) {{ running }} as call_run_number
                            from (
                                select
                                    *,
                                    {{ _starts_run(call, part, order_by) }} as starts_call_run
                                from {{ relation }}
                            ) as flagged
                        ) as numbered
                    ) as runs
                ) as counted
            ) as named
        ) as held_flagged
    ) as held
{%- endmacro %}


{#- 1 where `column` differs from the row before (null counts as a value of its own), else 0. -#}
{% macro _starts_run(column, part, order_by) -%}
    case when {{ column }} is not distinct from lag({{ column }}) over ({{ part }}order by {{ order_by }}) then 0 else 1 end
{%- endmacro %}
