-- Rates and head counts of reports that may contribute facts, with keys, fact_id, the primary flag
-- (first by source_start per report and measure, none when the report states different values) and
-- the printing tolerance of the value.
with facts as (
    select
        measure.*,
        row_number() over (
            partition by measure.report_id, measure.measure
            order by measure.source_start nulls last, measure.source_end nulls last, measure.measure_value
        ) as seq,
        min(measure.measure_value) over key_window <> max(measure.measure_value) over key_window
            as is_conflicting
    from {{ ref('stg_measure_facts') }} as measure
    window key_window as (partition by measure.report_id, measure.measure)
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
    facts.source_text,
    facts.source_start,
    facts.source_end,
    facts.source_page,
    facts.source_locator,
    facts.seq,
    facts.is_conflicting,
    facts.seq = 1 and not facts.is_conflicting as is_primary,
    {{ half_unit(value_decimals('facts.measure_value')) }} as tolerance
from facts
inner join reports on facts.report_id = reports.report_id
