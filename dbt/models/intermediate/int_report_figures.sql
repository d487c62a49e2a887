-- One row per report that may contribute facts: the headline figures of mart_department_year,
-- chosen from the primary stated facts by documented rules:
--   budget_total   : budget `total` for all_funds; else, when the report states a budget `total` in
--                    exactly one fund scope, that figure (the only budget figure stated).
--   spend_total, basic, project, revenue_total : the all_funds figure, else general_public_budget;
--                    spend_total, when stated in neither, is basic + project of one fund scope in which
--                    both parts are stated (all_funds first), flagged spend_total_is_derived.
--   A project report's figures are its project's (marts.fct_project), never the department's: every
--   headline figure of a `project` report is NULL here.
--   execution_rate : stated execution_rate_pct, else stated payment_rate_pct, else
--                    spend total / budget total x 100 (4 dp) computed from one fund scope in which
--                    both are stated (all_funds first, then general_public_budget); else NULL.
--   score_total    : the `total` score row (stated, or derived from the stated first-level parts).
--   comparable     : budget_total and spend_total both present and taken from one fund scope, so
--                    spend / budget means something in a sum over rows.
--   <figure>_fact_id : the fact a headline figure was read from (NULL when computed or derived).
--   indicators_met_pct : indicators with is_met true x 100 / indicators with is_met not NULL (4 dp);
--                    NULL when no indicator of the report could be assessed.
with reports as (
    select * from {{ ref('int_reports') }} where has_facts
),

department_reports as (
    select report_id from reports where report_type is distinct from 'project'
),

by_scope as (
    select * from {{ ref('int_money_by_scope') }}
    where report_id in (select report_id from department_reports)
),

derived_spend as (
    select
        report_id,
        spend_basic_wan_yuan + spend_project_wan_yuan as spend_total_wan_yuan,
        fund_scope
    from by_scope
    where spend_basic_wan_yuan is not null and spend_project_wan_yuan is not null
    qualify row_number() over (
        partition by report_id
        order by case fund_scope when 'all_funds' then 1 when 'general_public_budget' then 2 else 3 end
    ) = 1
),

all_funds as (
    select * from by_scope where fund_scope = 'all_funds'
),

general_budget as (
    select * from by_scope where fund_scope = 'general_public_budget'
),

single_scope_budget as (
    select report_id, any_value(budget_total_wan_yuan) as budget_total_wan_yuan,
        any_value(fund_scope) as fund_scope, any_value(budget_total_fact_id) as budget_total_fact_id
    from by_scope
    where fund_scope <> 'all_funds' and budget_total_wan_yuan is not null
    group by report_id
    having count(*) = 1
),

rate_base as (
    select report_id, budget_total_wan_yuan, spend_total_wan_yuan, fund_scope
    from by_scope
    where budget_total_wan_yuan > 0 and spend_total_wan_yuan is not null
    qualify row_number() over (
        partition by report_id
        order by case fund_scope when 'all_funds' then 1 when 'general_public_budget' then 2 else 3 end
    ) = 1
),

measures as (
    select
        report_id,
        max(measure_value) filter (where measure = 'execution_rate_pct') as stated_execution_rate_pct,
        max(measure_value) filter (where measure = 'payment_rate_pct') as stated_payment_rate_pct,
        any_value(fact_id) filter (where measure = 'execution_rate_pct') as execution_rate_fact_id,
        any_value(fact_id) filter (where measure = 'payment_rate_pct') as payment_rate_fact_id,
        max(measure_value) filter (where measure = 'staff_authorized') as staff_authorized,
        max(measure_value) filter (where measure = 'staff_in_service') as staff_in_service,
        max(measure_value) filter (where measure = 'staff_retired') as staff_retired
    from {{ ref('int_measure_facts') }}
    where is_primary and report_id in (select report_id from department_reports)
    group by report_id
),

scores as (
    select
        report_id,
        max(score) filter (where score_item = 'total') as score_total,
        bool_or(is_derived) filter (where score_item = 'total') as score_total_is_derived,
        any_value(fact_id) filter (where score_item = 'total' and not is_derived) as score_total_fact_id,
        max(rating) filter (where score_item = 'total') as rating,
        max(score) filter (where score_item = 'performance_effectiveness') as score_performance_effectiveness,
        max(score) filter (where score_item = 'management_efficiency') as score_management_efficiency
    from {{ ref('int_score_facts') }}
    where is_primary and report_id in (select report_id from department_reports)
    group by report_id
),

indicators as (
    select
        report_id,
        count(*) as indicator_count,
        count(is_met) as indicator_assessed_count,
        count(*) filter (where is_met) as indicator_met_count
    from {{ ref('int_indicator_facts') }}
    group by report_id
),

computed as (
    select
        report_id,
        fund_scope as computed_rate_scope,
        cast(round(spend_total_wan_yuan * 100 / budget_total_wan_yuan, 4) as decimal(9, 4))
            as computed_execution_rate_pct
    from rate_base
),

figures as (
    select
        reports.report_id,
        reports.department_key,
        reports.fiscal_year,
        cast(coalesce(all_funds.budget_total_wan_yuan, single_scope_budget.budget_total_wan_yuan)
            as decimal(20, 6)) as budget_total_wan_yuan,
        case
            when all_funds.budget_total_wan_yuan is not null then 'all_funds'
            else single_scope_budget.fund_scope
        end as budget_total_scope,
        coalesce(all_funds.budget_total_fact_id, single_scope_budget.budget_total_fact_id) as budget_total_fact_id,
        cast(coalesce(
            all_funds.spend_total_wan_yuan, general_budget.spend_total_wan_yuan, derived_spend.spend_total_wan_yuan
        ) as decimal(20, 6)) as spend_total_wan_yuan,
        case
            when all_funds.spend_total_wan_yuan is not null then 'all_funds'
            when general_budget.spend_total_wan_yuan is not null then 'general_public_budget'
            else derived_spend.fund_scope
        end as spend_total_scope,
        coalesce(all_funds.spend_total_fact_id, general_budget.spend_total_fact_id) as spend_total_fact_id,
        coalesce(all_funds.spend_total_wan_yuan, general_budget.spend_total_wan_yuan) is null
            and derived_spend.spend_total_wan_yuan is not null as spend_total_is_derived,
        cast(coalesce(all_funds.spend_basic_wan_yuan, general_budget.spend_basic_wan_yuan)
            as decimal(20, 6)) as basic_spend_wan_yuan,
        cast(coalesce(all_funds.spend_project_wan_yuan, general_budget.spend_project_wan_yuan)
            as decimal(20, 6)) as project_spend_wan_yuan,
        cast(coalesce(all_funds.revenue_total_wan_yuan, general_budget.revenue_total_wan_yuan)
            as decimal(20, 6)) as revenue_total_wan_yuan,
        cast(measures.stated_execution_rate_pct as decimal(9, 4)) as stated_execution_rate_pct,
        cast(measures.stated_payment_rate_pct as decimal(9, 4)) as stated_payment_rate_pct,
        computed.computed_execution_rate_pct,
        computed.computed_rate_scope,
        cast(coalesce(
            measures.stated_execution_rate_pct,
            measures.stated_payment_rate_pct,
            computed.computed_execution_rate_pct
        ) as decimal(9, 4)) as execution_rate_pct,
        case
            when measures.stated_execution_rate_pct is not null then 'stated_execution_rate'
            when measures.stated_payment_rate_pct is not null then 'stated_payment_rate'
            when computed.computed_execution_rate_pct is not null then 'computed'
        end as execution_rate_source,
        coalesce(measures.execution_rate_fact_id, measures.payment_rate_fact_id) as execution_rate_fact_id,
        cast(scores.score_total as decimal(6, 2)) as score_total,
        scores.score_total_is_derived,
        scores.score_total_fact_id,
        cast(scores.score_performance_effectiveness as decimal(6, 2)) as score_performance_effectiveness,
        cast(scores.score_management_efficiency as decimal(6, 2)) as score_management_efficiency,
        scores.rating,
        cast(measures.staff_authorized as integer) as staff_authorized,
        cast(measures.staff_in_service as integer) as staff_in_service,
        cast(measures.staff_retired as integer) as staff_retired,
        coalesce(indicators.indicator_count, 0) as indicator_count,
        coalesce(indicators.indicator_assessed_count, 0) as indicator_assessed_count,
        coalesce(indicators.indicator_met_count, 0) as indicator_met_count,
        cast(round(indicators.indicator_met_count * 100.0 / nullif(indicators.indicator_assessed_count, 0), 4)
            as decimal(9, 4)) as indicators_met_pct
    from reports
    left join all_funds on reports.report_id = all_funds.report_id
    left join general_budget on reports.report_id = general_budget.report_id
    left join single_scope_budget on reports.report_id = single_scope_budget.report_id
    left join derived_spend on reports.report_id = derived_spend.report_id
    left join computed on reports.report_id = computed.report_id
    left join measures on reports.report_id = measures.report_id
    left join scores on reports.report_id = scores.report_id
    left join indicators on reports.report_id = indicators.report_id
)

select
    *,
    coalesce(budget_total_scope = spend_total_scope, false) as comparable
from figures
