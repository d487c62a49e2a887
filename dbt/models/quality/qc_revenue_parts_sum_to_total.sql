-- Rows of the revenue_parts_sum_to_total check: fiscal appropriation + other revenue against total revenue.
select
    report_id,
    'fiscal_appropriation ' || {{ printed_number('fiscal_appropriation_revenue_wan_yuan') }} || ' + other '
        || {{ printed_number('other_revenue_wan_yuan') }} || ' vs revenue_total '
        || {{ printed_number('revenue_total_wan_yuan') }} || ' 万元 (' || fund_scope || ')' as observed,
    '|parts - revenue_total| <= '
        || {{ printed_number('fiscal_appropriation_revenue_tol + other_revenue_tol + revenue_total_tol') }}
        as expected,
    cast(abs(fiscal_appropriation_revenue_wan_yuan + other_revenue_wan_yuan - revenue_total_wan_yuan) as double)
        as deviation,
    cast(fiscal_appropriation_revenue_tol + other_revenue_tol + revenue_total_tol as double) as tolerance
from {{ ref('int_money_by_scope') }}
where fiscal_appropriation_revenue_wan_yuan is not null and other_revenue_wan_yuan is not null
    and revenue_total_wan_yuan is not null
