{{ fact_mart('int_money_facts', ['item', 'fund_scope', 'amount_wan_yuan', 'printed_unit', 'amount_text'],
    "side = 'budget' and item in ('total', 'initial', 'revenue_total', 'fiscal_appropriation_revenue',
        'other_revenue', 'carryover_begin', 'carryover_end')") }}
