select
    fiscal_year,
    count(*) as report_count
from {{ ref('int_reports') }}
where fiscal_year is not null
group by fiscal_year
