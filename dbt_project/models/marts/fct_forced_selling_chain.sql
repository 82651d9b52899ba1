-- The forced-selling chain, one row per quarter (period of report), docs/scores.md:
-- the standard shock plus that quarter's capital calls, sales and losses by round, amplification
-- = total forced sales / first-round sales (1 = the shock stops where it started; 1 too when
-- funders hold nothing), fire-sale loss as a share of 13F AUM, the score = percentile of
-- amplification among this and all earlier quarters (no look-ahead), and realised pressure beside
-- it: 13F net sales of holders in their bottom decile of implied flows.
-- Rounds beyond the third count in the totals only (and are in int_chain__rounds).
with quarters as (
    select quarter_end, sum(holding_bn) as aum_13f_bn, bool_or(is_synthetic) as is_synthetic
    from {{ ref('int_chain__exposures') }}
    group by quarter_end
),

shocks as (
    select quarter_end, count(*) as funders, sum(standard_shock_bn) as standard_shock_bn,
           sum(capital_call_bn) as capital_calls_bn, sum(required_bn) as required_sales_bn
    from {{ ref('int_chain__shocks') }}
    group by quarter_end
),

by_round as (
    select quarter_end, round_no, sum(sale_bn) as sales_bn, sum(loss_bn) as loss_bn
    from {{ ref('int_chain__rounds') }}
    group by quarter_end, round_no
),

rounds as (
    select
        quarter_end,
        sum(case when round_no = 1 then sales_bn else 0 end) as first_round_sales_bn,
        sum(case when round_no = 2 then sales_bn else 0 end) as sales_round_2_bn,
        sum(case when round_no = 3 then sales_bn else 0 end) as sales_round_3_bn,
        sum(sales_bn) as total_forced_sales_bn,
        sum(case when round_no = 1 then loss_bn else 0 end) as loss_round_1_bn,
        sum(case when round_no = 2 then loss_bn else 0 end) as loss_round_2_bn,
        sum(case when round_no = 3 then loss_bn else 0 end) as loss_round_3_bn,
        sum(loss_bn) as total_loss_bn
    from by_round
    group by quarter_end
),

realised as (
    select period_of_report as quarter_end, sum(net_sales_bn) as realised_pressure_bn
    from {{ ref('int_holdings__implied_flows') }}
    where flow_decile = 1
    group by period_of_report
),

chain as (
    select
        q.quarter_end,
        q.aum_13f_bn,
        coalesce(s.funders, 0) as funders,
        coalesce(s.standard_shock_bn, 0) as standard_shock_bn,
        coalesce(s.capital_calls_bn, 0) as capital_calls_bn,
        coalesce(s.required_sales_bn, 0) as required_sales_bn,
        coalesce(r.first_round_sales_bn, 0) as first_round_sales_bn,
        coalesce(r.sales_round_2_bn, 0) as sales_round_2_bn,
        coalesce(r.sales_round_3_bn, 0) as sales_round_3_bn,
        coalesce(r.total_forced_sales_bn, 0) as total_forced_sales_bn,
        coalesce(r.loss_round_1_bn, 0) as loss_round_1_bn,
        coalesce(r.loss_round_2_bn, 0) as loss_round_2_bn,
        coalesce(r.loss_round_3_bn, 0) as loss_round_3_bn,
        coalesce(r.total_loss_bn, 0) as total_loss_bn,
        case when coalesce(r.first_round_sales_bn, 0) > 0
             then r.total_forced_sales_bn / r.first_round_sales_bn else 1.0 end as amplification,
        x.realised_pressure_bn,
        p.aum_13f_bn as previous_aum_13f_bn,
        q.is_synthetic
    from quarters as q
    left join shocks as s on s.quarter_end = q.quarter_end
    left join rounds as r on r.quarter_end = q.quarter_end
    left join realised as x on x.quarter_end = q.quarter_end
    left join quarters as p on p.quarter_end = {{ previous_quarter_end('q.quarter_end') }}
),

scored as (
    select
        c.quarter_end,
        100.0 * sum(case when h.amplification <= c.amplification then 1 else 0 end) / count(*) as chain_score_pctile,
        count(*) as quarters_in_history
    from chain as c
    join chain as h on h.quarter_end <= c.quarter_end
    group by c.quarter_end
)

select
    c.quarter_end,
    cast({{ var('chain_shock_pct') }} as double) as shock_pct,
    cast({{ var('chain_rounds') }} as integer) as chain_rounds,
    cast(c.funders as integer) as funders,
    {{ to_usd_bn('c.standard_shock_bn', 'usd_bn') }} as standard_shock_bn,
    {{ to_usd_bn('c.capital_calls_bn', 'usd_bn') }} as capital_calls_bn,
    {{ to_usd_bn('c.required_sales_bn', 'usd_bn') }} as required_sales_bn,
    {{ to_usd_bn('c.first_round_sales_bn', 'usd_bn') }} as first_round_sales_bn,
    {{ to_usd_bn('c.sales_round_2_bn', 'usd_bn') }} as sales_round_2_bn,
    {{ to_usd_bn('c.sales_round_3_bn', 'usd_bn') }} as sales_round_3_bn,
    {{ to_usd_bn('c.total_forced_sales_bn', 'usd_bn') }} as total_forced_sales_bn,
    {{ to_usd_bn('c.loss_round_1_bn', 'usd_bn') }} as loss_round_1_bn,
    {{ to_usd_bn('c.loss_round_2_bn', 'usd_bn') }} as loss_round_2_bn,
    {{ to_usd_bn('c.loss_round_3_bn', 'usd_bn') }} as loss_round_3_bn,
    {{ to_usd_bn('c.total_loss_bn', 'usd_bn') }} as total_loss_bn,
    {{ to_usd_bn('c.aum_13f_bn', 'usd_bn') }} as aum_13f_bn,
    cast(-100 * c.total_loss_bn / nullif(c.aum_13f_bn, 0) as double) as loss_share_of_aum_pct,
    cast(c.amplification as double) as amplification,
    cast(s.chain_score_pctile as double) as chain_score_pctile,
    cast(s.quarters_in_history as integer) as quarters_in_history,
    {{ to_usd_bn('c.realised_pressure_bn', 'usd_bn') }} as realised_pressure_bn,
    -- over the previous quarter's 13F AUM: this quarter's AUM holds this quarter's returns
    cast(100 * c.realised_pressure_bn / nullif(c.previous_aum_13f_bn, 0) as double) as realised_pressure_of_aum_pct,
    cast(c.is_synthetic as boolean) as is_synthetic
from chain as c
join scored as s on s.quarter_end = c.quarter_end
