-- One row per project and fiscal year (project_key includes the year; latest statement wins, see
-- int_project_facts) with the department's dimensions and the project's indicator count.
with projects as (
    select * from {{ ref('fct_project') }} where fiscal_year is not null
),

indicators as (
    select project_key, report_id, count(*) as indicator_count
    from {{ ref('int_indicator_facts') }}
    where project_key is not null
    group by project_key, report_id
)

select
    projects.project_key,
    projects.fiscal_year,
    projects.project_name,
    projects.project_code,
    projects.department_key,
    coalesce(departments.department_name, projects.department_name) as department_name,
    departments.department_type,
    departments.admin_level,
    departments.province,
    departments.city,
    departments.county,
    projects.report_id,
    reports.source_file,
    projects.budget_initial_wan_yuan,
    projects.budget_adjusted_wan_yuan,
    projects.spend_wan_yuan,
    projects.execution_rate_pct,
    projects.execution_rate_is_derived,
    projects.score_total,
    projects.rating,
    coalesce(indicators.indicator_count, 0) as indicator_count
from projects
inner join {{ ref('int_reports') }} as reports on projects.report_id = reports.report_id
left join {{ ref('dim_department') }} as departments on projects.department_key = departments.department_key
left join indicators
    on projects.project_key = indicators.project_key and projects.report_id = indicators.report_id
