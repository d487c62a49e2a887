{{ config(tags=['post_quality']) }}

select
    cast(row_kind as varchar) as row_kind,
    cast(check_name as varchar) as check_name,
    cast(target_model as varchar) as target_model,
    cast(severity as varchar) as severity,
    cast(passed as boolean) as passed,
    cast(description as varchar) as description,
    cast(element_count as bigint) as element_count,
    cast(unexpected_count as bigint) as unexpected_count,
    cast(report_id as varchar) as report_id,
    cast(observed as varchar) as observed,
    cast(expected as varchar) as expected,
    cast(checked_at as timestamp) as checked_at
from {{ source('raw', 'quality_results') }}
