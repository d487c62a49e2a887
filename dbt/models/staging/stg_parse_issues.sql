select
    cast(report_id as varchar) as report_id,
    cast(code as varchar) as issue_code,
    cast(severity as varchar) as severity,
    cast(message as varchar) as message,
    cast(snippet as varchar) as snippet,
    cast(source_start as bigint) as source_start
from {{ source('raw', 'parse_issues') }}
