-- Rows of the indicator_values_non_negative check: targets and actual values of indicators that do not
-- measure growth.
select
    report_id,
    cast(value as double) as value,
    indicator_name || ' ' || which || ' ' || {{ printed_number('value') }} || coalesce(unit, '') as observed,
    '>= 0' as expected
from {{ ref('int_indicator_values') }}
where not is_growth
