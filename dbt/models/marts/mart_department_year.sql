{{ config(materialized='view') }}

-- One row per department and fiscal year from the report chosen by int_report_versions
-- (department_overall first, then latest ingested_at, source_file, report_id); figures by the rules of
-- int_report_figures; quality_status from int_report_quality (pass when the report has no issue).
with latest as (
    select report_id from {{ ref('int_report_versions') }} where version_rank = 1
)

select
    departments.department_key,
    departments.department_name,
    departments.department_type,
    departments.admin_level,
    departments.province,
    departments.city,
    departments.county,
    reports.fiscal_year,
    reports.report_id,
    reports.source_file,
    figures.budget_total_wan_yuan,
    figures.spend_total_wan_yuan,
    figures.spend_total_is_derived,
    figures.basic_spend_wan_yuan,
    figures.project_spend_wan_yuan,
    figures.revenue_total_wan_yuan,
    figures.execution_rate_pct,
    figures.execution_rate_source,
    figures.score_total,
    figures.score_performance_effectiveness,
    figures.score_management_efficiency,
    figures.rating,
    figures.staff_authorized,
    figures.staff_in_service,
    figures.staff_retired,
    figures.indicator_count,
    figures.indicator_assessed_count,
    figures.indicator_met_count,
    figures.indicators_met_pct,
    figures.comparable,
    figures.budget_total_fact_id,
    figures.spend_total_fact_id,
    figures.execution_rate_fact_id,
    figures.score_total_fact_id,
    coalesce(quality.quality_status, 'pass') as quality_status,
    departments.admin_level_zh,
    departments.department_type_zh,
    ratings.rating_name_zh as rating_zh
from latest
inner join {{ ref('int_reports') }} as reports on latest.report_id = reports.report_id
inner join {{ ref('dim_department') }} as departments on reports.department_key = departments.department_key
inner join {{ ref('int_report_figures') }} as figures on latest.report_id = figures.report_id
left join {{ ref('int_report_quality') }} as quality on latest.report_id = quality.report_id
left join {{ ref('dim_rating') }} as ratings on figures.rating = ratings.rating
