-- What the quarterly holdings models read for each period of report, as one fingerprint per
-- quarter (macros/quarterly.sql): the quarter's 13F filings (submission, cover page, summary page)
-- with their information-table lines (count, totals and a hash of every line), the same for the
-- quarter before (implied flows compare the two), and the project's definitions. A filing loaded
-- since the last build, such as an amendment filed years late, changes the fingerprint of its
-- period and of the next one, and only those are rebuilt.
with lines as (
    select
        i.accession_number,
        count(*) as lines,
        sum(i.value_reported) as value_reported_total,
        sum(i.shares_or_principal) as shares_or_principal_total,
        bit_xor(hash(i)) as lines_hash
    from {{ ref('stg_sec13f__infotable') }} as i
    group by i.accession_number
),

filings as (
    select
        s.period_of_report as quarter_end,
        md5(string_agg(
            cast(s as varchar) || cast(c as varchar) || cast(p as varchar) || cast(l as varchar),
            '|' order by s.accession_number)) as filings_fingerprint
    from {{ ref('stg_sec13f__submissions') }} as s
    left join {{ ref('stg_sec13f__coverpages') }} as c on c.accession_number = s.accession_number
    left join {{ ref('stg_sec13f__summarypages') }} as p on p.accession_number = s.accession_number
    left join lines as l on l.accession_number = s.accession_number
    where s.period_of_report is not null
    group by s.period_of_report
)

select
    q.quarter_end,
    md5(q.filings_fingerprint || '|' || coalesce(b.filings_fingerprint, '') || '|{{ definitions_fingerprint() }}') as inputs_fingerprint
from filings as q
left join filings as b on b.quarter_end = {{ previous_quarter_end('q.quarter_end') }}
