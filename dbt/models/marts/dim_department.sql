-- One row per department_key. When reports disagree on type or level, the most recent fiscal year's
-- report wins, then the version order of int_report_versions (ingested_at, source_file, report_id).
select
    department_key,
    department_name,
    department_type,
    admin_level,
    province,
    city,
    county
from {{ ref('int_reports') }}
where department_key is not null
qualify row_number() over (
    partition by department_key
    order by has_facts desc, fiscal_year desc nulls last, ingested_at desc nulls last,
        source_file desc nulls last, report_id desc
) = 1
