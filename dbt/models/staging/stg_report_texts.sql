select
    cast(report_id as varchar) as report_id,
    cast(normalised_text as varchar) as normalised_text
from {{ source('raw', 'report_texts') }}
