-- The stated target and actual values of indicators, one row each, with whether the indicator measures
-- growth (its name says 增长 / 增幅 / 提高 / 增速: a value below 0 or above 100% can be right). The base of
-- the indicator range checks.
with indicators as (
    select
        report_id,
        indicator_name,
        unit,
        target_value,
        actual_value,
        regexp_matches(indicator_name, '增长|增幅|提高|增速') as is_growth
    from {{ ref('int_indicator_facts') }}
)

select report_id, indicator_name, unit, is_growth, 'target' as which, target_value as value
from indicators
where target_value is not null
union all
select report_id, indicator_name, unit, is_growth, 'actual' as which, actual_value as value
from indicators
where actual_value is not null
