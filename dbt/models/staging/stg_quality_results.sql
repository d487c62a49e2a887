-- A view read at query time: Great Expectations writes raw.quality_results after dbt has built the marts.
select
    row_kind,
    check_name,
    target_model,
    severity,
    passed,
    description,
    element_count,
    unexpected_count,
    report_id,
    observed,
    expected,
    checked_at
from {{ source('raw', 'quality_results') }}
