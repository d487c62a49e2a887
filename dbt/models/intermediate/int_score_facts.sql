-- Scores of reports that may contribute facts, mapped to the indicator framework (score_item =
-- indicator_key), plus a derived total (is_derived) for reports that state every first-level part of
-- the framework but no total (the only fact of its key, so primary). Parts are first-level framework
-- items (履职效能, 管理效率). Primary flags by the primary_flags rule per score_item.
with reports as (
    select * from {{ ref('int_reports') }} where has_facts
),

framework as (
    select * from {{ ref('dim_indicator') }}
),

stated as (
    select
        scores.*,
        {{ primary_flags('scores', ['score_item'], 'score') }}
    from {{ ref('stg_score_facts') }} as scores
    inner join reports on scores.report_id = reports.report_id
),

first_level as (
    select count(*) as part_count from framework where indicator_level = 1
),

derived_totals as (
    select
        stated.report_id,
        'total' as score_item,
        cast(sum(stated.score) as decimal(6, 2)) as score,
        cast(sum(stated.max_score) as decimal(6, 2)) as max_score,
        cast(null as varchar) as rating,
        true as is_derived,
        cast(null as varchar) as source_text,
        cast(null as bigint) as source_start,
        cast(null as bigint) as source_end,
        cast(null as varchar) as source_page,
        cast(null as varchar) as source_locator,
        1 as seq,
        false as is_conflicting,
        true as is_primary
    from stated
    inner join framework on stated.score_item = framework.indicator_key and framework.indicator_level = 1
    where stated.seq = 1
        and stated.report_id not in (select report_id from stated where score_item = 'total')
    group by stated.report_id
    having count(*) = (select part_count from first_level)
),

all_scores as (
    select
        report_id, score_item, score, max_score, rating, is_derived,
        source_text, source_start, source_end, source_page, source_locator, seq, is_conflicting, is_primary
    from stated
    union all
    select * from derived_totals
)

select
    md5(concat_ws('|', all_scores.report_id, all_scores.score_item, all_scores.seq)) as fact_id,
    all_scores.report_id,
    reports.department_key,
    reports.fiscal_year,
    all_scores.score_item,
    all_scores.score,
    all_scores.max_score,
    all_scores.rating,
    all_scores.is_derived,
    framework.indicator_key,
    framework.indicator_level,
    {{ stated_fact_columns('all_scores') }},
    {{ half_unit(value_decimals('all_scores.score')) }} as tolerance
from all_scores
inner join reports on all_scores.report_id = reports.report_id
left join framework on all_scores.score_item = framework.indicator_key
