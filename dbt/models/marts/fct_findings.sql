select
    md5(concat_ws('|', findings.report_id, findings.finding_kind, findings.seq, findings.source_start))
        as finding_id,
    findings.report_id,
    reports.department_key,
    reports.fiscal_year,
    findings.finding_kind,
    findings.seq,
    findings.finding_text,
    findings.source_start,
    findings.source_end
from {{ ref('stg_findings') }} as findings
inner join {{ ref('int_reports') }} as reports on findings.report_id = reports.report_id
where reports.has_facts
