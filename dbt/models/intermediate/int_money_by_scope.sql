{%- set figures = [
    ('budget', 'total', 'budget_total'),
    ('budget', 'initial', 'budget_initial'),
    ('budget', 'revenue_total', 'revenue_total'),
    ('budget', 'fiscal_appropriation_revenue', 'fiscal_appropriation_revenue'),
    ('budget', 'other_revenue', 'other_revenue'),
    ('budget', 'carryover_begin', 'carryover_begin'),
    ('budget', 'carryover_end', 'carryover_end'),
    ('spend', 'total', 'spend_total'),
    ('spend', 'basic', 'spend_basic'),
    ('spend', 'project', 'spend_project'),
    ('spend', 'procurement', 'spend_procurement'),
] -%}
-- One row per report and fund scope with the primary figure of every money item (NULL when not
-- stated), its printing tolerance (<figure>_tol) and its fact (<figure>_fact_id), the base of the
-- arithmetic checks and of the marts' links to the sentence a figure was read from.
select
    report_id,
    fund_scope,
    {%- for side, item, name in figures %}
    max(amount_wan_yuan) filter (where side = '{{ side }}' and item = '{{ item }}') as {{ name }}_wan_yuan,
    max(tolerance_wan_yuan) filter (where side = '{{ side }}' and item = '{{ item }}') as {{ name }}_tol,
    any_value(fact_id) filter (where side = '{{ side }}' and item = '{{ item }}') as {{ name }}_fact_id
    {{- "," if not loop.last }}
    {%- endfor %}
from {{ ref('int_money_facts') }}
where is_primary
group by report_id, fund_scope
