select
    cast(report_id as varchar) as report_id,
    cast(project_seq as integer) as project_seq,
    nullif(trim(cast(project_name as varchar)), '') as project_name,
    nullif(trim(cast(project_code as varchar)), '') as project_code,
    nullif(trim(cast(supervising_department as varchar)), '') as supervising_department,
    nullif(trim(cast(implementing_unit as varchar)), '') as implementing_unit,
    cast(budget_initial_wan_yuan as decimal(20, 6)) as budget_initial_wan_yuan,
    cast(budget_adjusted_wan_yuan as decimal(20, 6)) as budget_adjusted_wan_yuan,
    cast(spend_wan_yuan as decimal(20, 6)) as spend_wan_yuan,
    cast(execution_rate_pct as decimal(9, 4)) as execution_rate_pct,
    cast(score_total as decimal(6, 2)) as score_total,
    cast(rating as varchar) as rating,
    cast(source_text as varchar) as source_text,
    cast(source_start as bigint) as source_start,
    cast(source_end as bigint) as source_end,
    cast(block_start as bigint) as block_start,
    cast(block_end as bigint) as block_end
from {{ source('raw', 'project_facts') }}
