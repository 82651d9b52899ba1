-- The chain's scenarios compute the rounds their own way (int_chain__scenario_outcomes: one share
-- sold per hedge fund, round 1 once per shock level); its baseline scenario, every parameter at its
-- var, must give the chain itself (marts.fct_forced_selling_chain) in every quarter. Rows = quarters
-- where amplification or total losses differ.
select c.quarter_end, c.amplification, o.amplification as scenario_amplification,
       c.total_loss_bn, o.total_loss_bn as scenario_total_loss_bn
from {{ ref('fct_forced_selling_chain') }} as c
left join {{ ref('int_chain__scenario_outcomes') }} as o
    on o.quarter_end = c.quarter_end and o.scenario_kind = 'baseline'
where o.quarter_end is null
   or abs(c.amplification - o.amplification) > 1e-9
   or abs(cast(c.total_loss_bn as double) - o.total_loss_bn) > 1e-5
