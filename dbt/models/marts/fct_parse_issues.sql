-- Parse issues of every report, failed ones included: they say why a report is failed or partial.
-- issue_code_zh is the display label from the seed dim_parse_issue.
select
    md5(concat_ws('|', issues.report_id, issues.issue_code, issues.source_start,
        row_number() over (partition by issues.report_id order by issues.source_start, issues.issue_code,
            issues.message))) as issue_id,
    issues.report_id,
    reports.department_key,
    reports.fiscal_year,
    issues.issue_code,
    issues.severity,
    issues.message,
    issues.snippet,
    issues.source_start,
    codes.issue_name_zh as issue_code_zh
from {{ ref('stg_parse_issues') }} as issues
inner join {{ ref('int_reports') }} as reports on issues.report_id = reports.report_id
left join {{ ref('dim_parse_issue') }} as codes on issues.issue_code = codes.issue_code
