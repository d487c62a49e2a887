{{ config(materialized='view') }}

-- The worst severity of each report's quality issues (error → fail, warn → warn), read at query time
-- from the Great Expectations results; reports without issues are absent (→ pass in the marts).
select
    report_id,
    case
        when bool_or(severity = 'error') then 'fail'
        when bool_or(severity = 'warn') then 'warn'
    end as quality_status
from {{ ref('stg_quality_results') }}
where row_kind = 'failure' and report_id is not null
group by report_id
