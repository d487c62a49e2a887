-- Departments as the marts name them (dim_department and the report marts read it): one row per department_key.
-- When reports disagree on type or level, the most recent fiscal year's
-- report wins, then the version order of int_report_versions (ingested_at, source_file, report_id).
-- Chinese display labels come from the seeds dim_level and dim_department_type.
with departments as (
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
)

select
    departments.*,
    levels.level_name_zh as admin_level_zh,
    coalesce(types.type_name_zh, departments.department_type) as department_type_zh
from departments
left join {{ ref('dim_level') }} as levels on departments.admin_level = levels.admin_level
left join {{ ref('dim_department_type') }} as types on departments.department_type = types.department_type
