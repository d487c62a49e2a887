select
    cast(report_id as varchar) as report_id,
    cast(measure as varchar) as measure,
    cast(value as decimal(20, 6)) as measure_value,
    cast(unit as varchar) as unit,
    cast(source_text as varchar) as source_text,
    cast(source_start as bigint) as source_start,
    cast(source_end as bigint) as source_end,
    cast(source_page as varchar) as source_page,
    cast(source_locator as varchar) as source_locator
from {{ source('raw', 'measure_facts') }}
