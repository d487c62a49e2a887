select
    cast(report_id as varchar) as report_id,
    cast(title as varchar) as title,
    cast(report_type as varchar) as report_type,
    cast(fiscal_year as integer) as fiscal_year,
    cast(department_name as varchar) as department_name,
    cast(department_type as varchar) as department_type,
    cast(admin_level as varchar) as admin_level,
    cast(province as varchar) as province,
    cast(city as varchar) as city,
    cast(county as varchar) as county,
    cast(header_source as varchar) as header_source,
    cast(evaluator_kind as varchar) as evaluator_kind,
    cast(parse_status as varchar) as parse_status,
    cast(status_reason as varchar) as status_reason,
    cast(text_chars as bigint) as text_chars
from {{ source('raw', 'report_headers') }}
