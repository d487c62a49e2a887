select
    fact_id,
    report_id,
    department_key,
    fiscal_year,
    item,
    fund_scope,
    amount_wan_yuan,
    printed_unit,
    amount_text,
    is_primary,
    source_text,
    source_start,
    source_end,
    source_page,
    source_locator
from {{ ref('int_money_facts') }}
where side = 'budget'
    and item in ('total', 'initial', 'revenue_total', 'fiscal_appropriation_revenue', 'other_revenue',
        'carryover_begin', 'carryover_end')
