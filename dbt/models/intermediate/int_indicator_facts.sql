-- Performance indicators of reports that may contribute facts, with keys, fact_id, the matching
-- entry of the standard indicator framework (dim_indicator) where the normalised names agree, the
-- project whose part of the report holds the indicator (project_key), the comparator the report
-- states (a key of the vocabulary seed indicator_comparators, which the parser reads too) and
-- is_met: the actual against the target by that comparator, else by the direction assumed for an
-- unsigned target, whenever both values are numeric in one unit (a unit stated on one side only is
-- the other's). is_met_derived says is_met was computed, is_met_assumed that its comparator was
-- not stated.
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
    select distinct key from {{ ref('indicator_comparators') }}
),

compared as (
    select
        facts.*,
        stated.key as stated_comparator,
        coalesce(stated.key, assumed.key) as used_comparator,
        facts.target_value is not null
        and facts.actual_value is not null
        and coalesce(facts.target_unit, facts.actual_unit, '') = coalesce(facts.actual_unit, facts.target_unit, '')
            as is_comparable
    from facts
    left join comparators as stated on facts.comparator = stated.key
    left join comparators as assumed on facts.assumed_comparator = assumed.key
),

framework as (
    select
        indicator_key,
        {{ indicator_name_normalised('indicator_name_zh') }} as name_normalised
    from {{ ref('dim_indicator') }}
),

judged as (
    select
        compared.*,
        case when compared.is_comparable then
            case compared.used_comparator
                when '>=' then compared.actual_value >= compared.target_value
                when '<=' then compared.actual_value <= compared.target_value
                when '=' then compared.actual_value = compared.target_value
            end
        end as is_met
    from compared
)

select
    md5(concat_ws('|', judged.report_id, judged.seq)) as fact_id,
    judged.report_id,
    reports.department_key,
    reports.fiscal_year,
    judged.seq,
    judged.indicator_name,
    judged.indicator_level1,
    judged.indicator_level2,
    judged.target_text,
    judged.actual_text,
    judged.target_value,
    judged.actual_value,
    judged.unit,
    judged.weight,
    judged.score,
    framework.indicator_key,
    projects.project_key,
    judged.stated_comparator as comparator,
    judged.is_met,
    judged.is_met is not null as is_met_derived,
    judged.is_met is not null and judged.stated_comparator is null as is_met_assumed,
    judged.source_text,
    judged.source_start,
    judged.source_end,
    judged.source_page,
    judged.source_locator
from judged
inner join reports on judged.report_id = reports.report_id
left join framework
    on {{ indicator_name_normalised('judged.indicator_name') }} = framework.name_normalised
left join projects
    on judged.report_id = projects.report_id
    and judged.source_start >= projects.block_start
    and judged.source_start < projects.block_end
