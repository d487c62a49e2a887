{#- Model-level test: the model has as many rows as `compare_model`. -#}
{% test equal_rowcount(model, compare_model) %}
select model_rows, compare_rows
from (select count(*) as model_rows from {{ model }}) as m
cross join (select count(*) as compare_rows from {{ compare_model }}) as c
where model_rows <> compare_rows
{% endtest %}
