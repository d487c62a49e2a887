-- Rows of the score_parts_sum_to_total check: a stated total against the sum of its stated first-level
-- parts, for reports stating every first-level part of the framework.
with stated as (
    select * from {{ ref('int_score_facts') }} where is_primary and not is_derived and score is not null
),

parts as (
    select
        report_id,
        sum(score) as part_sum,
        sum(tolerance) as part_tol,
        count(*) as part_count,
        string_agg(score_item || ' ' || {{ printed_number('score') }}, ' + ' order by score_item) as part_text
    from stated
    where indicator_level = 1
    group by report_id
),

first_level as (
    select count(*) as part_count from {{ ref('dim_indicator') }} where indicator_level = 1
)

select
    totals.report_id,
    'total ' || {{ printed_number('totals.score') }} || ' vs ' || parts.part_text || ' = '
        || {{ printed_number('parts.part_sum') }} as observed,
    '|total - sum of parts| <= ' || {{ printed_number('totals.tolerance + parts.part_tol') }} as expected,
    cast(abs(totals.score - parts.part_sum) as double) as deviation,
    cast(totals.tolerance + parts.part_tol as double) as tolerance
from stated as totals
inner join parts on totals.report_id = parts.report_id
where totals.score_item = 'total'
    and parts.part_count = (select part_count from first_level)
