-- Projects of reports that may contribute facts, with the project's department, project_key, the
-- execution rate (stated, else spend / adjusted budget x 100 when both are stated, flagged) and the
-- statement rank of each project_key (a project report before a department report listing the
-- project, then the latest ingested, source_file, report_id, position in the report).
with projects as (
    select * from {{ ref('stg_project_facts') }}
),

reports as (
    select * from {{ ref('int_reports') }} where has_facts
),

with_department as (
    select
        projects.*,
        reports.fiscal_year,
        reports.report_type,
        reports.ingested_at,
        reports.source_file,
        coalesce(projects.supervising_department, projects.implementing_unit, reports.department_name)
            as department_name,
        -- The report's department is the project's only when the form names it (or names none).
        case
            when projects.supervising_department is null and projects.implementing_unit is null
                then reports.department_key
            when {{ department_name_normalised('reports.department_name') }} in (
                {{ department_name_normalised('projects.supervising_department') }},
                {{ department_name_normalised('projects.implementing_unit') }}
            )
                then reports.department_key
        end as department_key
    from projects
    inner join reports on projects.report_id = reports.report_id
),

keyed as (
    select
        *,
        md5(concat_ws(
            '|',
            coalesce(department_key, {{ department_name_normalised('department_name') }}),
            coalesce(
                nullif({{ department_name_normalised('project_code') }}, ''),
                nullif({{ department_name_normalised('project_name') }}, ''),
                report_id || '#' || project_seq
            ),
            coalesce(cast(fiscal_year as varchar), '')
        )) as project_key
    from with_department
)

select
    project_key,
    md5(concat_ws('|', report_id, project_seq)) as project_fact_id,
    report_id,
    project_seq,
    department_key,
    department_name,
    fiscal_year,
    report_type,
    project_name,
    project_code,
    supervising_department,
    implementing_unit,
    budget_initial_wan_yuan,
    budget_adjusted_wan_yuan,
    spend_wan_yuan,
    cast(coalesce(
        execution_rate_pct,
        case
            when budget_adjusted_wan_yuan > 0 and spend_wan_yuan is not null
                then round(spend_wan_yuan * 100 / budget_adjusted_wan_yuan, 4)
        end
    ) as decimal(9, 4)) as execution_rate_pct,
    execution_rate_pct is null
        and coalesce(budget_adjusted_wan_yuan > 0 and spend_wan_yuan is not null, false)
        as execution_rate_is_derived,
    score_total,
    rating,
    source_text,
    source_start,
    source_end,
    source_page,
    source_locator,
    block_start,
    block_end,
    row_number() over (
        partition by project_key
        order by
            case report_type when 'project' then 1 else 2 end,
            ingested_at desc nulls last,
            source_file desc nulls last,
            report_id desc,
            project_seq
    ) as statement_rank,
    count(*) over (partition by project_key) as statement_count
from keyed
