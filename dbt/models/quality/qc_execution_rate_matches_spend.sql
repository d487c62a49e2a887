-- Rows of the execution_rate_matches_spend check: the stated (primary) execution rate against spend / budget
-- of the fund scope int_report_figures computes a rate from; the tolerance adds the error the printed
-- precision of spend and budget propagates to the quotient.
with rates as (
    select * from {{ ref('int_measure_facts') }} where measure = 'execution_rate_pct' and is_primary
),

scopes as (
    select * from {{ ref('int_money_by_scope') }}
)

select
    figures.report_id,
    'stated ' || {{ printed_number('rates.measure_value') }} || '%, spend / budget = '
        || {{ printed_number('scopes.spend_total_wan_yuan') }} || ' / '
        || {{ printed_number('scopes.budget_total_wan_yuan') }} || ' 万元 (' || scopes.fund_scope || ')' as observed,
    {{ printed_number('round(scopes.spend_total_wan_yuan * 100 / scopes.budget_total_wan_yuan, 4)') }} || '%'
        as expected,
    cast(abs(rates.measure_value - scopes.spend_total_wan_yuan * 100 / scopes.budget_total_wan_yuan) as double)
        as deviation,
    cast(rates.tolerance as double)
        + 100 * (scopes.spend_total_tol / scopes.budget_total_wan_yuan
            + scopes.spend_total_wan_yuan * scopes.budget_total_tol
                / (scopes.budget_total_wan_yuan * scopes.budget_total_wan_yuan)) as tolerance
from {{ ref('int_report_figures') }} as figures
inner join rates on figures.report_id = rates.report_id
inner join scopes on figures.report_id = scopes.report_id and figures.computed_rate_scope = scopes.fund_scope
