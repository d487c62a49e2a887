{{ fact_mart('int_measure_facts', ['measure', 'measure_value', 'unit']) }}
