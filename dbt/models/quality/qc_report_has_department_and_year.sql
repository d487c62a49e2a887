-- Rows of the report_has_department_and_year check: every report's header state, complete (department
-- and year), explained (partial or failed with a reason or a parse issue) or unexplained.
with explained as (
    select distinct report_id from {{ ref('fct_parse_issues') }}
)

select
    reports.report_id,
    case
        when reports.department_key is not null and reports.fiscal_year is not null then 'complete'
        when reports.parse_status in ('partial', 'failed')
            and (reports.status_reason is not null or explained.report_id is not null) then 'explained'
        else 'unexplained'
    end as header_state,
    reports.parse_status || ' report, department '
        || case when reports.department_key is null then 'missing' else 'present' end
        || ', fiscal_year ' || coalesce(cast(reports.fiscal_year as varchar), 'missing')
        || ', reason ' || coalesce(reports.status_reason, 'none') as observed,
    'department and year, or partial/failed with a reason' as expected
from {{ ref('fct_report') }} as reports
left join explained on reports.report_id = explained.report_id
