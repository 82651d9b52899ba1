{#- How many DuckDB threads a model's query may use: pre-hook of every model (dbt_project.yml).

    One, by default (profiles.yml): DuckDB adds up floating-point values in whatever order its
    threads finish, so a parallel sum of doubles can differ in its last bits from one build to the
    next, and a mart's hash would then no longer say whether anything changed
    (tests/e2e/test_deterministic_marts.py).

    Every core (`reset threads`, DuckDB's default) for a model whose config says
    `meta={'order_independent': true}`: its result does not depend on the order in which rows
    are combined. Say why in the model, next to the flag: no aggregate of doubles but sums of
    whole numbers (exact in a double below 2^53 whatever the order), counts, min/max, medians,
    and window orderings that leave no tie with different values. Such a model ends with an
    ORDER BY of its key: on several threads its rows come out in whatever order the threads
    finish, and a model after it that adds up doubles on one thread adds them in the order it
    reads them (without the ORDER BY, two builds of the scenario differed downstream, in the
    chain's rounds and the implied flows). At a real-size 13F quarter (bench/chain_scale.py) the
    heavy holdings and chain models then use the second core.

    The setting stays on the connection until the next model's pre-hook: the data tests that
    follow a model run with its threads, which changes no test's outcome (a count of rows). -#}
{% macro duckdb_threads() -%}
    {#- while dbt parses, config.get gives no mapping: a hook is only rendered, never run, then -#}
    {%- set meta = config.get('meta') -%}
    {%- if meta is mapping and meta.get('order_independent') -%}
    reset threads
    {%- else -%}
    set threads = 1
    {%- endif -%}
{%- endmacro %}
