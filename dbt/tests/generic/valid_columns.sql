{#-
    One wide assertion per model instead of one test per column: a row fails when a column that must
    be set is NULL, or a coded column holds a value outside its vocabulary. The failing rows carry a
    `broken_rule` column naming the first rule they break.

    data_tests:
      - valid_columns:
          arguments:
            not_null: [report_id, item]
            accepted_values: {item: [total, basic]}
-#}
{% test valid_columns(model, not_null=[], accepted_values={}) %}
with checked as (
    select
        *,
        case
        {%- for column in not_null %}
            when {{ adapter.quote(column) }} is null then 'not_null:{{ column }}'
        {%- endfor %}
        {%- for column, values in accepted_values.items() %}
            when {{ adapter.quote(column) }} is not null
                and cast({{ adapter.quote(column) }} as varchar) not in (
                    {%- for value in values %}'{{ value }}'{{ ", " if not loop.last }}{% endfor -%}
                )
                then 'accepted_values:{{ column }}'
        {%- endfor %}
        end as broken_rule
    from {{ model }}
)

select * from checked where broken_rule is not null
{% endtest %}
