-- One row per report that is not failed: its department (from int_departments, else as the report states it),
-- year, type, status and version, the headline figures by the rules of int_report_figures, quality_status
-- from int_report_quality (pass when the report has no issue) and the display labels. mart_report publishes
-- it, mart_department_year its latest versions. A view: quality_status reads the Great Expectations results
-- written after the dbt build.
{{ config(materialized='view') }}

with reports as (
    select * from {{ ref('int_reports') }} where has_facts
),

versions as (
    select report_id, version_rank from {{ ref('int_report_versions') }}
)

select
    reports.department_key,
    coalesce(departments.department_name, reports.department_name) as department_name,
    coalesce(departments.department_type, reports.department_type) as department_type,
    coalesce(departments.admin_level, reports.admin_level) as admin_level,
    coalesce(departments.province, reports.province) as province,
    coalesce(departments.city, reports.city) as city,
    coalesce(departments.county, reports.county) as county,
    reports.fiscal_year,
    reports.report_id,
    reports.source_file,
    reports.report_type,
    reports.parse_status,
    reports.evaluator_kind,
    coalesce(versions.version_rank = 1, false) as is_latest_version,
    figures.budget_total_wan_yuan,
    figures.spend_total_wan_yuan,
    figures.spend_total_is_derived,
    figures.basic_spend_wan_yuan,
    figures.project_spend_wan_yuan,
    figures.revenue_total_wan_yuan,
    figures.execution_rate_pct,
    figures.execution_rate_source,
    figures.score_total,
    figures.score_total_is_derived,
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
from reports
inner join {{ ref('int_report_figures') }} as figures on reports.report_id = figures.report_id
left join {{ ref('int_departments') }} as departments on reports.department_key = departments.department_key
left join versions on reports.report_id = versions.report_id
left join {{ ref('int_report_quality') }} as quality on reports.report_id = quality.report_id
left join {{ ref('dim_rating') }} as ratings on figures.rating = ratings.rating
