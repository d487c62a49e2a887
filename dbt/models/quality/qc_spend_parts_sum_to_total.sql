-- Rows of the spend_parts_sum_to_total check: basic + project spend against total spend, per fund scope.
select
    report_id,
    'basic ' || {{ printed_number('spend_basic_wan_yuan') }} || ' + project '
        || {{ printed_number('spend_project_wan_yuan') }} || ' = '
        || {{ printed_number('spend_basic_wan_yuan + spend_project_wan_yuan') }} || ' vs total '
        || {{ printed_number('spend_total_wan_yuan') }} || ' 万元 (' || fund_scope || ')' as observed,
    '|basic + project - total| <= '
        || {{ printed_number('spend_basic_tol + spend_project_tol + spend_total_tol') }} as expected,
    cast(abs(spend_basic_wan_yuan + spend_project_wan_yuan - spend_total_wan_yuan) as double) as deviation,
    cast(spend_basic_tol + spend_project_tol + spend_total_tol as double) as tolerance
from {{ ref('int_money_by_scope') }}
where spend_basic_wan_yuan is not null and spend_project_wan_yuan is not null
    and spend_total_wan_yuan is not null
