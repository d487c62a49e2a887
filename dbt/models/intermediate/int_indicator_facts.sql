-- Performance indicators of reports that may contribute facts, with keys, fact_id and the matching
-- entry of the standard indicator framework (dim_indicator) where the normalised names agree.
with facts as (
    select
        indicators.*,
        row_number() over (
            partition by indicators.report_id
            order by indicators.source_start nulls last, indicators.source_end nulls last,
                indicators.indicator_name
        ) as seq
    from {{ ref('stg_indicator_facts') }} as indicators
),

reports as (
    select * from {{ ref('int_reports') }} where has_facts
),

framework as (
    select
        indicator_key,
        {{ indicator_name_normalised('indicator_name_zh') }} as name_normalised
    from {{ ref('dim_indicator') }}
)

select
    md5(concat_ws('|', facts.report_id, facts.seq)) as fact_id,
    facts.report_id,
    reports.department_key,
    reports.fiscal_year,
    facts.seq,
    facts.indicator_name,
    facts.indicator_level1,
    facts.indicator_level2,
    facts.target_text,
    facts.actual_text,
    facts.target_value,
    facts.actual_value,
    facts.unit,
    facts.weight,
    facts.score,
    framework.indicator_key,
    facts.source_text,
    facts.source_start,
    facts.source_end,
    facts.source_page,
    facts.source_locator
from facts
inner join reports on facts.report_id = reports.report_id
left join framework
    on {{ indicator_name_normalised('facts.indicator_name') }} = framework.name_normalised
