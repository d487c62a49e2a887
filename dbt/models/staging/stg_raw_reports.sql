select
    cast(report_id as varchar) as report_id,
    cast(source_file as varchar) as source_file,
    cast(content_sha256 as varchar) as content_sha256,
    cast(size_bytes as bigint) as size_bytes,
    cast(file_kind as varchar) as file_kind,
    cast(encoding as varchar) as encoding,
    cast(decode_error as varchar) as decode_error,
    cast(duplicate_of as varchar) as duplicate_of,
    cast(ingested_at as timestamp) as ingested_at
from {{ source('raw', 'raw_reports') }}
-- A file no longer in the raw dir (or whose content changed: a new report_id) keeps its raw record,
-- but its report leaves the warehouse.
where not coalesce(is_removed, false)
