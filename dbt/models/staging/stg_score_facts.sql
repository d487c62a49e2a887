select
    cast(report_id as varchar) as report_id,
    cast(score_item as varchar) as score_item,
    cast(score as decimal(6, 2)) as score,
    cast(max_score as decimal(6, 2)) as max_score,
    cast(rating as varchar) as rating,
    coalesce(cast(is_derived as boolean), false) as is_derived,
    cast(source_text as varchar) as source_text,
    cast(source_start as bigint) as source_start,
    cast(source_end as bigint) as source_end,
    cast(source_page as varchar) as source_page,
    cast(source_locator as varchar) as source_locator
from {{ source('raw', 'score_facts') }}
