select
    fact_id,
    report_id,
    department_key,
    fiscal_year,
    measure,
    measure_value,
    unit,
    is_primary,
    source_text,
    source_start,
    source_end,
    source_page,
    source_locator
from {{ ref('int_measure_facts') }}
