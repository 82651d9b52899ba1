-- NEW HOLDINGS amendments whose report is not loaded: no original 13F-HR and no RESTATEMENT of the
-- filer and period (int_holdings__effective_filings adds NEW HOLDINGS to a base, so without one
-- their lines reach no position). They are kept out of the positions rather than taken for the
-- whole report (a NEW HOLDINGS amendment lists only the lines it adds: a public tool that took one
-- for the report lost a 3,982-line portfolio to 80 lines), and listed here with their lines and
-- value; the warn test new_holdings_without_their_report counts them. The usual cause: the
-- original sits in a data set not loaded (an earlier filing quarter).
with filings as (
    select s.accession_number, s.cik, s.period_of_report, s.filing_date, c.amendment_type,
           c.filing_manager_name, s.source_mode
    from {{ ref('stg_sec13f__submissions') }} as s
    left join {{ ref('stg_sec13f__coverpages') }} as c on c.accession_number = s.accession_number
    where s.submission_type in ('13F-HR', '13F-HR/A')
),

orphans as (
    select a.*
    from filings as a
    where a.amendment_type = 'NEW HOLDINGS'
      and not exists (
          select 1 from {{ ref('int_holdings__effective_filings') }} as b
          where b.cik = a.cik and b.period_of_report = a.period_of_report and b.filing_role = 'base'
      )
)

select
    o.accession_number,
    o.cik,
    o.period_of_report,
    o.filing_date,
    o.filing_manager_name,
    count(i.accession_number) as lines,
    sum(i.value_usd) as value_usd,
    false as reaches_positions,
    o.source_mode
from orphans as o
left join {{ ref('int_holdings__infotable_in_usd') }} as i
    on i.accession_number = o.accession_number and not i.is_option
group by o.accession_number, o.cik, o.period_of_report, o.filing_date, o.filing_manager_name, o.source_mode
