{{ config(materialized='view') }}

-- One row per Great Expectations check of the last run, with its overall result.
select
    check_name,
    target_model,
    severity,
    passed,
    description,
    element_count,
    unexpected_count
from {{ ref('stg_quality_results') }}
where row_kind = 'summary'
