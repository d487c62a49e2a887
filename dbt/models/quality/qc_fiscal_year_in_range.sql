-- Rows of the fiscal_year_in_range check: the fiscal year against the first year the warehouse takes
-- (2000) and the year the check runs in.
with bounds as (
    select 2000 as first_year, year(current_date) as last_year
)

select
    reports.report_id,
    'fiscal_year ' || reports.fiscal_year as observed,
    'between ' || bounds.first_year || ' and ' || bounds.last_year as expected,
    cast(greatest(bounds.first_year - reports.fiscal_year, reports.fiscal_year - bounds.last_year) as double)
        as deviation,
    0.0 as tolerance
from {{ ref('fct_report') }} as reports
cross join bounds
where reports.fiscal_year is not null
