-- One row per project_key: the project's statement from the report of int_project_facts' first rank.
select
    project_key,
    report_id,
    department_key,
    fiscal_year,
    project_name,
    project_code,
    department_name,
    budget_initial_wan_yuan,
    budget_adjusted_wan_yuan,
    spend_wan_yuan,
    execution_rate_pct,
    execution_rate_is_derived,
    score_total,
    rating,
    statement_count,
    source_text,
    source_start,
    source_end,
    source_page,
    source_locator
from {{ ref('int_project_facts') }}
where statement_rank = 1
