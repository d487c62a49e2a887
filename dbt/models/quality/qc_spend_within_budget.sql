-- Rows of the spend_within_budget check: total spend against total budget, all funds.
select
    report_id,
    'spend_total ' || {{ printed_number('spend_total_wan_yuan') }} || ' > budget_total '
        || {{ printed_number('budget_total_wan_yuan') }} || ' 万元 (all_funds)' as observed,
    'spend_total <= budget_total + ' || {{ printed_number('spend_total_tol + budget_total_tol') }} as expected,
    cast(spend_total_wan_yuan - budget_total_wan_yuan as double) as deviation,
    cast(spend_total_tol + budget_total_tol as double) as tolerance
from {{ ref('int_money_by_scope') }}
where fund_scope = 'all_funds'
    and spend_total_wan_yuan is not null and budget_total_wan_yuan is not null
