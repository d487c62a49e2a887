-- Which report represents a department in a fiscal year. Candidates: reports that are not failed and
-- have both department_key and fiscal_year. Order (the "latest report wins" rule):
--   1. report_type department_overall before other before project (a project self-evaluation never
--      stands for the whole department while an overall report exists);
--   2. ingested_at descending (the most recently ingested version);
--   3. source_file descending (a revised file such as report_v2.txt sorts after report.txt);
--   4. report_id descending (a last, arbitrary but stable tie-breaker).
select
    report_id,
    department_key,
    fiscal_year,
    row_number() over (
        partition by department_key, fiscal_year
        order by
            case report_type when 'department_overall' then 1 when 'other' then 2 else 3 end,
            ingested_at desc nulls last,
            source_file desc nulls last,
            report_id desc
    ) as version_rank,
    count(*) over (partition by department_key, fiscal_year) as version_count
from {{ ref('int_reports') }}
where has_facts
    and department_key is not null
    and fiscal_year is not null
