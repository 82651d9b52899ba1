-- Put and call lines, kept apart from holdings: one row per filer, period, security and side.
select
    f.cik,
    f.period_of_report,
    i.cusip,
    i.put_call,
    sum(i.value_usd) as value_usd,
    sum(i.shares_or_principal) as shares_or_principal,
    count(*) as lines
from {{ ref('int_holdings__effective_filings') }} as f
join {{ ref('int_holdings__infotable_in_usd') }} as i on i.accession_number = f.accession_number
where i.is_option
group by f.cik, f.period_of_report, i.cusip, i.put_call
