-- Rows of the indicator_percentages_in_range check: percentage targets and actual values of indicators
-- that do not measure growth.
select
    report_id,
    cast(value as double) as value,
    indicator_name || ' ' || which || ' ' || {{ printed_number('value') }} || '%' as observed,
    'between 0 and 100' as expected
from {{ ref('int_indicator_values') }}
where unit = '%' and not is_growth
