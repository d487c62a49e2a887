{{ fact_mart('int_money_facts', ['item', 'fund_scope', 'amount_wan_yuan', 'printed_unit', 'amount_text'],
    "side = 'spend' and item in ('total', 'basic', 'project', 'procurement')") }}
