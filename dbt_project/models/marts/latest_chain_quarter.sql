-- The forced-selling chain's latest quarter, one row (none before any 13F holdings are loaded):
-- what "the chain now" means for an analyst opening the published copy. A table, not a view:
-- publish_copy drops views from the copy.
select *
from {{ ref('fct_forced_selling_chain') }}
where quarter_end = (select max(quarter_end) from {{ ref('fct_forced_selling_chain') }})
