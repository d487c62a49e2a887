select
    fact_id,
    report_id,
    department_key,
    fiscal_year,
    score_item,
    score,
    max_score,
    rating,
    is_derived,
    is_primary,
    indicator_key,
    source_text,
    source_start,
    source_end,
    source_page,
    source_locator
from {{ ref('int_score_facts') }}
