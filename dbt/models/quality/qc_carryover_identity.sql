-- Rows of the carryover_identity check: begin + revenue - spend against the carry-over at the end.
select
    report_id,
    'begin ' || {{ printed_number('carryover_begin_wan_yuan') }} || ' + revenue '
        || {{ printed_number('revenue_total_wan_yuan') }} || ' - spend ' || {{ printed_number('spend_total_wan_yuan') }}
        || ' = ' || {{ printed_number('carryover_begin_wan_yuan + revenue_total_wan_yuan - spend_total_wan_yuan') }}
        || ' vs end ' || {{ printed_number('carryover_end_wan_yuan') }} || ' 万元 (' || fund_scope || ')' as observed,
    '|begin + revenue - spend - end| <= '
        || {{ printed_number('carryover_begin_tol + revenue_total_tol + spend_total_tol + carryover_end_tol') }}
        as expected,
    cast(abs(carryover_begin_wan_yuan + revenue_total_wan_yuan - spend_total_wan_yuan - carryover_end_wan_yuan)
        as double) as deviation,
    cast(carryover_begin_tol + revenue_total_tol + spend_total_tol + carryover_end_tol as double) as tolerance
from {{ ref('int_money_by_scope') }}
where carryover_begin_wan_yuan is not null and revenue_total_wan_yuan is not null
    and spend_total_wan_yuan is not null and carryover_end_wan_yuan is not null
