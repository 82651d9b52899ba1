-- As filed: no week uses a quarter filed after that Wednesday.
select week_ending, ticker, latest_quarter_known_from
from {{ ref('int_hyperscaler__funding_weekly') }}
where latest_quarter_known_from > week_ending
