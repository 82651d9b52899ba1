{#- Models incremental by quarter (docs/design_notes.md, "Incremental by quarter").

    A quarterly model rebuilds only the quarters whose inputs changed since it last built them:
    - its inputs' fingerprint per quarter is a model of its own, int_holdings__quarter_inputs (the
      13F filings of the quarter and of the one before) or int_chain__quarter_inputs (those, the
      quarter's prices, its filers' holder types, the security map of the CUSIPs it holds), each
      with definitions_fingerprint() (the project's models, seeds, macros and vars) in every
      quarter's;
    - meta.dbt_quarter_builds keeps, per model and quarter, the fingerprint its rows were built
      from. It is written in the same transaction as the model's rows (the post-hook
      record_quarter_build), so a failed or killed build leaves the old rows with the old
      fingerprint, and the next build redoes them;
    - on an incremental run the model reads only the quarters to rebuild (quarters_to_build around
      each input), and the strategy 'quarters' deletes every quarter not built from the current
      fingerprint (changed, or gone from the inputs) before inserting the new rows, so a quarter
      whose new result has no rows keeps none of its old ones.
    A full build (the first, `dbt build --full-refresh`, or the table gone, dropped by hand) builds
    every quarter; its pre-hook forget_quarter_builds first deletes the model's records, so every
    quarter is recorded anew (untested, named with this invocation).
    A change to a model, seed or macro file, or to a var, changes every quarter's fingerprint, so
    every quarter is rebuilt; what still needs --full-refresh is a column removed or retyped, or a
    change dbt's own code makes (docs/design_notes.md). -#}

{% macro quarter_builds() -%}
    meta.dbt_quarter_builds
{%- endmacro %}

{#- on-run-start: the table of what each quarterly model was built from, the dbt invocation that
    wrote the quarter's rows (the publish reads a quarterly table's record instead of hashing its
    rows: reverse_qe/table_fingerprints.py), and whether the rows built from that have passed the
    model's unique_key tests (keys_tested, set by record_keys_tested). -#}
{% macro create_quarter_builds() -%}
    create schema if not exists meta;
    create table if not exists {{ quarter_builds() }} (
        model_name varchar not null,
        quarter_end date not null,
        inputs_fingerprint varchar not null
    );
    alter table {{ quarter_builds() }} add column if not exists keys_tested boolean default false;
    alter table {{ quarter_builds() }} add column if not exists built_by_invocation varchar
{%- endmacro %}

{#- The project's model, seed and macro files and the values of every var they name: a change to
    any of them changes every quarter's fingerprint, so the quarterly models rebuild in full after
    it. A macro's text is its MacroGenerator's (dbt's graph lists no macros); this project's are
    those of the context whose package is the project. -#}
{% macro definitions_fingerprint() -%}
    {%- if execute -%}
        {%- set parts = [] -%}
        {%- set var_names = [] -%}
        {%- set texts = [] -%}
        {%- for node in graph.nodes.values() | sort(attribute='unique_id')
                if node.package_name == project_name and node.resource_type in ('model', 'seed') -%}
            {%- do parts.append(node.unique_id ~ ' ' ~ node.checksum.checksum) -%}
            {%- do texts.append(node.raw_code or '') -%}
        {%- endfor -%}
        {%- for name in context.keys() | sort
                if context[name].macro is defined and context[name].macro.package_name == project_name -%}
            {%- do parts.append(context[name].macro.unique_id ~ ' ' ~ local_md5(context[name].macro.macro_sql)) -%}
            {%- do texts.append(context[name].macro.macro_sql) -%}
        {%- endfor -%}
        {%- for text in texts -%}
            {%- for name in modules.re.findall("var\(\s*['\"](\w+)['\"]", text) -%}
                {%- if name not in var_names %}{% do var_names.append(name) %}{% endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- for name in var_names | sort -%}
            {%- do parts.append(name ~ '=' ~ tojson(var(name, none))) -%}
        {%- endfor -%}
        {{- local_md5(parts | join('\n')) -}}
    {%- endif -%}
{%- endmacro %}

{#- The quarter_inputs model a quarterly model reads its fingerprints from: the one it refs. -#}
{% macro quarter_inputs_of_this() -%}
    {%- set found = [] -%}
    {%- for node_id in model.depends_on.nodes if node_id.endswith('__quarter_inputs') -%}
        {%- do found.append(graph.nodes[node_id].name) -%}
    {%- endfor -%}
    {%- if found | length != 1 -%}
        {{ exceptions.raise_compiler_error(this.identifier ~ ' is incremental by quarter and must ref exactly one *__quarter_inputs model, not ' ~ found) }}
    {%- endif -%}
    {{- ref(found[0]) -}}
{%- endmacro %}

{#- The quarters this model must build now: those whose fingerprint differs from the one it was
    last built from (all of them when it never was). -#}
{% macro quarters_to_rebuild(inputs) -%}
    select i.quarter_end
    from {{ inputs }} as i
    left join {{ quarter_builds() }} as b
        on b.model_name = '{{ this.identifier }}' and b.quarter_end = i.quarter_end
    where b.inputs_fingerprint is distinct from i.inputs_fingerprint
{%- endmacro %}

{#- ``relation`` limited, on an incremental run, to the rows of the quarters to rebuild (``key``
    holds the quarter end) and, with ``previous``, of the quarter before each. -#}
{% macro quarters_to_build(relation, inputs, key='quarter_end', previous=false) -%}
    {%- if is_incremental() -%}
    (select * from {{ relation }} where {{ key }} in (
        select quarter_end from ({{ quarters_to_rebuild(inputs) }}) as rebuilt
        {%- if previous %}
        union all
        select {{ previous_quarter_end('quarter_end') }} from ({{ quarters_to_rebuild(inputs) }}) as rebuilt
        {%- endif %}))
    {%- else -%}
    {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- The incremental strategy 'quarters': keep the quarters built from their current fingerprint,
    delete the others (changed, or no longer in the inputs), insert what the model built. -#}
{% macro get_incremental_quarters_sql(arg_dict) -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set inputs = quarter_inputs_of_this() -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ key }} is null or {{ key }} not in (
        select i.quarter_end
        from {{ inputs }} as i
        join {{ quarter_builds() }} as b
            on b.model_name = '{{ this.identifier }}' and b.quarter_end = i.quarter_end
           and b.inputs_fingerprint = i.inputs_fingerprint
    );
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#- Whether the model being built is incremental by quarter (the hooks below write only for one). -#}
{% macro builds_by_quarter() -%}
    {{- return(config.get('materialized') == 'incremental' and config.get('incremental_strategy') == 'quarters') -}}
{%- endmacro %}

{#- Pre-hook of every model (dbt_project.yml); deletes only for a quarterly one about to build every
    quarter, in its transaction: its first build, a --full-refresh, or its table gone (dropped by
    hand). Its records described rows that are no longer there, so none of them may stand for the
    new rows: record_quarter_build then records every quarter untested, named with this invocation.
    This runs before the build because after it, in the post-hook, is_incremental() sees the table
    just made and cannot tell a full build from an incremental one. -#}
{% macro forget_quarter_builds() -%}
    {%- if builds_by_quarter() and not is_incremental() -%}
    delete from {{ quarter_builds() }} where model_name = '{{ this.identifier }}'
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of every model (dbt_project.yml); writes only for a quarterly one, in its transaction:
    every quarter of its inputs is now built from its current fingerprint. A quarter still built
    from the fingerprint it had keeps its keys_tested and the invocation that wrote it (its rows are
    what that fingerprint builds, untouched); a rebuilt or new one starts untested and names this
    invocation, as every quarter does after a full build (forget_quarter_builds). -#}
{% macro record_quarter_build() -%}
    {%- if builds_by_quarter() -%}
    {%- set inputs = quarter_inputs_of_this() -%}
    delete from {{ quarter_builds() }} as b
    where b.model_name = '{{ this.identifier }}'
      and not exists (select 1 from {{ inputs }} as i
                      where i.quarter_end = b.quarter_end and i.inputs_fingerprint = b.inputs_fingerprint);
    insert into {{ quarter_builds() }} (model_name, quarter_end, inputs_fingerprint, keys_tested, built_by_invocation)
    select '{{ this.identifier }}', i.quarter_end, i.inputs_fingerprint, false, '{{ invocation_id }}'
    from {{ inputs }} as i
    where not exists (select 1 from {{ quarter_builds() }} as b
                      where b.model_name = '{{ this.identifier }}' and b.quarter_end = i.quarter_end)
    {%- endif -%}
{%- endmacro %}

{#- The rule for a unique_key test that can skip its model's tested quarters, written once for the
    test and for record_keys_tested: the model is incremental by quarter and the key (``columns``)
    holds its quarter column, so two rows of one key are in one quarter, and a quarter whose rows
    passed keeps them until it is rebuilt. Returns that quarter column, or none. -#}
{% macro scoped_quarter_column(node, columns) -%}
    {%- set quarter_column = node.config.get('unique_key') -%}
    {{- return(quarter_column if node.resource_type == 'model'
               and node.config.get('incremental_strategy') == 'quarters'
               and quarter_column in columns else none) -}}
{%- endmacro %}

{#- The quarterly model a unique_key test on ``relation`` guards, when the test is scoped
    (scoped_quarter_column): (identifier, quarter column), or none. -#}
{% macro quarterly_key_scope(relation, columns) -%}
    {%- set found = [] -%}
    {%- if execute and relation.identifier is defined -%}
        {%- for node in graph.nodes.values()
                if (node.alias or node.name) == relation.identifier and scoped_quarter_column(node, columns) -%}
            {%- do found.append((relation.identifier, scoped_quarter_column(node, columns))) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(found[0] if found | length == 1 else none) -}}
{%- endmacro %}

{#- on-run-end: a quarterly model whose scoped unique_key tests (scoped_quarter_column) all
    passed in this invocation has every quarter's keys tested. A failed, skipped or unselected test
    marks nothing, so its quarters are tested again the next time. -#}
{% macro record_keys_tested(results) -%}
    {%- if execute -%}
        {%- set status = {} -%}
        {%- for result in results -%}
            {%- do status.update({result.node.unique_id: result.status | string}) -%}
        {%- endfor -%}
        {%- set key_statuses = {} -%}
        {%- for test in graph.nodes.values()
                if test.resource_type == 'test' and (test.test_metadata or {}).get('name') == 'unique_key'
                and test.attached_node in graph.nodes
                and scoped_quarter_column(graph.nodes[test.attached_node], test.test_metadata.kwargs.get('columns', [])) -%}
            {%- set node = graph.nodes[test.attached_node] -%}
            {%- do key_statuses.setdefault(node.alias or node.name, []).append(status.get(test.unique_id)) -%}
        {%- endfor -%}
        {%- set tested = [] -%}
        {%- for name, statuses in key_statuses.items() | sort
                if statuses | reject('equalto', 'pass') | list | length == 0 -%}
            {%- do tested.append(name) -%}
        {%- endfor -%}
        {%- if tested %}
    update {{ quarter_builds() }} set keys_tested = true
    where not keys_tested and model_name in ('{{ tested | join("', '") }}')
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
