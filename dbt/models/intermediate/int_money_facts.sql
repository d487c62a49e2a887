-- Money figures of reports that may contribute facts, with the report's keys, a stable fact_id, the
-- primary flag (the primary_flags rule per side/item/fund_scope) and the printing tolerance (half a unit of the last
-- printed decimal, sized by the printed unit of the money_units vocabulary; NULL for a unit it lacks).
with units as (
    select wording as printed_unit, wan_yuan_per_unit from {{ ref('money_units') }}
),

facts as (
    select
        money.*,
        {{ primary_flags('money', ['side', 'item', 'fund_scope'], 'amount_wan_yuan') }},
        units.wan_yuan_per_unit,
        money.amount_wan_yuan * cast(1 / units.wan_yuan_per_unit as decimal(38, 10)) as amount_in_printed_unit
    from {{ ref('stg_money_facts') }} as money
    left join units on money.printed_unit = units.printed_unit
),

reports as (
    select * from {{ ref('int_reports') }} where has_facts
)

select
    md5(concat_ws('|', facts.report_id, facts.side, facts.item, facts.fund_scope, facts.seq)) as fact_id,
    facts.report_id,
    reports.department_key,
    reports.fiscal_year,
    facts.side,
    facts.item,
    facts.fund_scope,
    facts.amount_wan_yuan,
    facts.printed_unit,
    facts.amount_text,
    {{ stated_fact_columns('facts') }},
    {{ half_unit(printed_decimals('facts.amount_text', 'facts.amount_in_printed_unit'),
                 'facts.wan_yuan_per_unit') }} as tolerance_wan_yuan
from facts
inner join reports on facts.report_id = reports.report_id
