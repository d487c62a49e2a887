{{ config(materialized='view') }}

-- One row per failing (check, report) row of the Great Expectations suite.
select
    md5(concat_ws('|', results.check_name, results.report_id, results.observed,
        row_number() over (partition by results.check_name, results.report_id order by results.observed,
            results.expected))) as issue_id,
    results.report_id,
    reports.department_key,
    reports.fiscal_year,
    results.check_name,
    results.target_model,
    results.severity,
    results.observed,
    results.expected,
    results.description
from {{ ref('stg_quality_results') }} as results
left join {{ ref('int_reports') }} as reports on results.report_id = reports.report_id
where results.row_kind = 'failure'
