{#- For a one-row "latest" mart: fails unless the model holds exactly one row when `of` has rows
    (none when `of` is empty), and that row's `key` is the greatest `key` of `of`. -#}
{% test latest_row_of(model, of, key) %}
with expected as (
    select count(*) as rows_of, max({{ key }}) as latest from {{ of }}
),

actual as (
    select count(*) as row_count, max({{ key }}) as shown from {{ model }}
)

select expected.rows_of, expected.latest, actual.row_count, actual.shown
from expected
cross join actual
where actual.row_count != least(expected.rows_of, 1)
   or actual.shown is distinct from expected.latest
{% endtest %}
