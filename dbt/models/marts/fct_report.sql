select
    reports.report_id,
    reports.source_file,
    reports.content_sha256,
    reports.department_key,
    reports.fiscal_year,
    reports.title,
    reports.report_type,
    reports.parse_status,
    reports.status_reason,
    reports.header_source,
    reports.evaluator_kind,
    reports.file_kind,
    reports.encoding,
    reports.size_bytes,
    reports.text_chars,
    reports.duplicate_of,
    reports.ingested_at,
    coalesce(versions.version_rank = 1, false) as is_latest_version
from {{ ref('int_reports') }} as reports
left join {{ ref('int_report_versions') }} as versions on reports.report_id = versions.report_id
