{#- Generic test: every row (optionally filtered by the test's `where` config) satisfies the boolean
    SQL `expression`; rows where it is false or NULL fail. Usable on a model or on a column (the
    column name is then only documentation: the expression names it). -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
