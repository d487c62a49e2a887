select
    cast(report_id as varchar) as report_id,
    cast(kind as varchar) as finding_kind,
    cast(seq as integer) as seq,
    cast(text as varchar) as finding_text,
    cast(source_start as bigint) as source_start,
    cast(source_end as bigint) as source_end
from {{ source('raw', 'findings') }}
