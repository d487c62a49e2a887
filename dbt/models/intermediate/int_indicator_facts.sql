-- Performance indicators of reports that may contribute facts, with keys, fact_id, the matching
-- entry of the standard indicator framework (dim_indicator) where the normalised names agree, the
-- project whose part of the report holds the indicator (project_key), the comparator the target opens
-- with (seed indicator_comparators, longest wording wins) and is_met: actual vs target by that
-- comparator when both values are stated (NULL when either value or the comparator is not).
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

projects as (
    select report_id, project_key, block_start, block_end from {{ ref('int_project_facts') }}
),

comparators as (
    select * from {{ ref('indicator_comparators') }}
),

with_comparator as (
    select
        facts.report_id,
        facts.seq,
        comparators.key as comparator
    from facts
    inner join comparators on starts_with(ltrim(facts.target_text), comparators.wording)
    qualify row_number() over (
        partition by facts.report_id, facts.seq order by length(comparators.wording) desc
    ) = 1
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
    projects.project_key,
    with_comparator.comparator,
    case with_comparator.comparator
        when '≥' then facts.actual_value >= facts.target_value
        when '≤' then facts.actual_value <= facts.target_value
        when '=' then facts.actual_value = facts.target_value
        when '<' then facts.actual_value < facts.target_value
        when '>' then facts.actual_value > facts.target_value
    end as is_met,
    facts.source_text,
    facts.source_start,
    facts.source_end,
    facts.source_page,
    facts.source_locator
from facts
inner join reports on facts.report_id = reports.report_id
left join framework
    on {{ indicator_name_normalised('facts.indicator_name') }} = framework.name_normalised
left join with_comparator on facts.report_id = with_comparator.report_id and facts.seq = with_comparator.seq
left join projects
    on facts.report_id = projects.report_id
    and facts.source_start >= projects.block_start
    and facts.source_start < projects.block_end
