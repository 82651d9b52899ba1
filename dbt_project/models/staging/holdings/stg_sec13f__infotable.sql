-- Form 13F information-table lines, one row per line as published. VALUE stays in the unit it
-- was filed in (thousands of USD before 2023-01-03, USD after): the unit depends on the filing,
-- not on the column, so the conversion to USD is in int_holdings__infotable_in_usd.
select
    accession_number,
    infotable_sk,
    cusip,
    name_of_issuer,
    title_of_class,
    value as value_reported,
    sshprnamt as shares_or_principal,
    sshprnamt_type as shares_or_principal_type,
    put_call,
    put_call is not null as is_option,
    source_mode
from {{ source('raw', 'sec13f_infotable') }}
