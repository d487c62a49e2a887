select
    cast(report_id as varchar) as report_id,
    cast(indicator_name as varchar) as indicator_name,
    cast(indicator_level1 as varchar) as indicator_level1,
    cast(indicator_level2 as varchar) as indicator_level2,
    cast(target_text as varchar) as target_text,
    cast(actual_text as varchar) as actual_text,
    cast(target_value as decimal(20, 6)) as target_value,
    cast(actual_value as decimal(20, 6)) as actual_value,
    cast(unit as varchar) as unit,
    cast(weight as decimal(6, 2)) as weight,
    cast(score as decimal(6, 2)) as score,
    cast(source_text as varchar) as source_text,
    cast(source_start as bigint) as source_start,
    cast(source_end as bigint) as source_end,
    cast(source_page as varchar) as source_page,
    cast(source_locator as varchar) as source_locator
from {{ source('raw', 'indicator_facts') }}
