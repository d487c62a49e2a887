select
    cast(report_id as varchar) as report_id,
    cast(side as varchar) as side,
    cast(item as varchar) as item,
    cast(fund_scope as varchar) as fund_scope,
    cast(amount_wan_yuan as decimal(20, 6)) as amount_wan_yuan,
    cast(unit as varchar) as printed_unit,
    cast(amount_text as varchar) as amount_text,
    cast(source_text as varchar) as source_text,
    cast(source_start as bigint) as source_start,
    cast(source_end as bigint) as source_end,
    cast(source_page as varchar) as source_page,
    cast(source_locator as varchar) as source_locator
from {{ source('raw', 'money_facts') }}
