-- One row per file of the raw dir with its parsed header (if any), the derived department_key and
-- whether the report may contribute facts (every parse_status except failed).
with raw_reports as (
    select * from {{ ref('stg_raw_reports') }}
),

headers as (
    select * from {{ ref('stg_report_headers') }}
),

joined as (
    select
        raw_reports.report_id,
        raw_reports.source_file,
        raw_reports.content_sha256,
        raw_reports.size_bytes,
        raw_reports.file_kind,
        raw_reports.encoding,
        raw_reports.duplicate_of,
        raw_reports.ingested_at,
        headers.title,
        coalesce(headers.report_type, 'other') as report_type,
        headers.fiscal_year,
        nullif(trim(headers.department_name), '') as department_name,
        headers.department_type,
        headers.admin_level,
        nullif(trim(headers.province), '') as province,
        nullif(trim(headers.city), '') as city,
        nullif(trim(headers.county), '') as county,
        headers.header_source,
        headers.evaluator_kind,
        coalesce(headers.parse_status, 'failed') as parse_status,
        coalesce(
            headers.status_reason,
            raw_reports.decode_error,
            case
                when headers.report_id is null
                    then 'not parsed (file kind ' || coalesce(raw_reports.file_kind, 'unknown') || ')'
            end
        ) as status_reason,
        headers.text_chars
    from raw_reports
    left join headers on raw_reports.report_id = headers.report_id
)

select
    report_id,
    source_file,
    content_sha256,
    size_bytes,
    file_kind,
    encoding,
    duplicate_of,
    ingested_at,
    title,
    report_type,
    fiscal_year,
    department_name,
    case
        when department_name is not null
            then md5(concat_ws(
                '|',
                {{ department_name_normalised('department_name') }},
                {{ department_name_normalised('province') }},
                {{ department_name_normalised('city') }},
                {{ department_name_normalised('county') }}
            ))
    end as department_key,
    case when department_name is not null then coalesce(department_type, 'other') end as department_type,
    case
        when department_name is null then null
        when admin_level is not null then admin_level
        when county is not null then 'county'
        when city is not null then 'prefecture'
        when province is not null then 'province'
    end as admin_level,
    province,
    city,
    county,
    header_source,
    evaluator_kind,
    parse_status,
    status_reason,
    text_chars,
    parse_status <> 'failed' as has_facts
from joined
