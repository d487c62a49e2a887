-- Rates and head counts of reports that may contribute facts, with keys, fact_id, the primary flag
-- (the primary_flags rule per measure) and the printing tolerance of the value.
with facts as (
    select
        measure.*,
        {{ primary_flags('measure', ['measure'], 'measure_value') }}
    from {{ ref('stg_measure_facts') }} as measure
),

reports as (
    select * from {{ ref('int_reports') }} where has_facts
)

select
    md5(concat_ws('|', facts.report_id, facts.measure, facts.seq)) as fact_id,
    facts.report_id,
    reports.department_key,
    reports.fiscal_year,
    facts.measure,
    facts.measure_value,
    facts.unit,
    {{ stated_fact_columns('facts') }},
    {{ half_unit(value_decimals('facts.measure_value')) }} as tolerance
from facts
inner join reports on facts.report_id = reports.report_id
