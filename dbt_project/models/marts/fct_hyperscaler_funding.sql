-- Hyperscaler capex and its funding per company and quarter, as currently known (the latest
-- filed version of each quarter; `first_known_from` says when the quarter was first filed).
-- external funding F = max(0, debt proceeds - repayments) + max(0, securities sales - purchases)
--                      + off-balance-sheet financings (seed); self-funded share = 1 - F / capex.
with

versions as (
    select * from {{ ref('int_hyperscaler__funding_quarterly') }}
),

latest as (
    select
        *,
        min(known_from) over (partition by ticker, fiscal_quarter_end) as first_known_from,
        count(*) over (partition by ticker, fiscal_quarter_end) as versions,
        row_number() over (partition by ticker, fiscal_quarter_end order by known_from desc) as recency
    from versions
)

select
    cast(ticker as varchar) as ticker,
    cast(calendar_quarter_end as date) as calendar_quarter_end,
    cast(fiscal_quarter_end as date) as fiscal_quarter_end,
    cast(fiscal_quarter as integer) as fiscal_quarter,
    cast(first_known_from as date) as first_known_from,
    cast(known_from as date) as latest_known_from,
    cast(versions as integer) as versions,
    cast(capex_bn as decimal(18, 6)) as capex_bn,
    cast(operating_cash_flow_bn as decimal(18, 6)) as operating_cash_flow_bn,
    cast(debt_proceeds_bn as decimal(18, 6)) as debt_proceeds_bn,
    cast(debt_repayments_bn as decimal(18, 6)) as debt_repayments_bn,
    cast(securities_sales_bn as decimal(18, 6)) as securities_sales_bn,
    cast(securities_purchases_bn as decimal(18, 6)) as securities_purchases_bn,
    cast(net_debt_funding_bn as decimal(18, 6)) as net_debt_funding_bn,
    cast(net_securities_sales_bn as decimal(18, 6)) as net_securities_sales_bn,
    cast(off_balance_sheet_bn as decimal(18, 6)) as off_balance_sheet_bn,
    cast(external_funding_bn as decimal(18, 6)) as external_funding_bn,
    cast(self_funded_share as double) as self_funded_share,
    cast(missing_metrics as varchar) as missing_metrics,
    is_synthetic
from latest
where recency = 1
