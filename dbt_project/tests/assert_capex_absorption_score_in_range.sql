-- Every non-null score lies in [0, 100]; a null score always says why.
select week_ending, score, score_null_reason
from {{ ref('fct_capex_absorption') }}
where (score is not null and (score < 0 or score > 100))
   or (score is null and score_null_reason is null)
