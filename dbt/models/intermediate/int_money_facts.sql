-- Money figures of reports that may contribute facts, with the report's keys, a stable fact_id, the
-- primary flag (when a report states several figures for one side/item/fund_scope, the first by
-- source_start is primary, unless the report states different values for that key: then none is,
-- and the marts' headline figure stays NULL) and the printing tolerance (half a unit of the last
-- printed decimal, sized by the printed unit of the money_units vocabulary; NULL for a unit it lacks).
with units as (
    select wording as printed_unit, wan_yuan_per_unit from {{ ref('money_units') }}
),

facts as (
    select
        money.*,
        row_number() over (
            partition by money.report_id, money.side, money.item, money.fund_scope
            order by money.source_start nulls last, money.source_end nulls last, money.amount_wan_yuan
        ) as seq,
        min(money.amount_wan_yuan) over key_window <> max(money.amount_wan_yuan) over key_window
            as is_conflicting,
        units.wan_yuan_per_unit,
        money.amount_wan_yuan * cast(1 / units.wan_yuan_per_unit as decimal(38, 10)) as amount_in_printed_unit
    from {{ ref('stg_money_facts') }} as money
    left join units on money.printed_unit = units.printed_unit
    window key_window as (partition by money.report_id, money.side, money.item, money.fund_scope)
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
    facts.source_text,
    facts.source_start,
    facts.source_end,
    facts.source_page,
    facts.source_locator,
    facts.seq,
    facts.is_conflicting,
    facts.seq = 1 and not facts.is_conflicting as is_primary,
    {{ half_unit(printed_decimals('facts.amount_text', 'facts.amount_in_printed_unit'),
                 'facts.wan_yuan_per_unit') }} as tolerance_wan_yuan
from facts
inner join reports on facts.report_id = reports.report_id
