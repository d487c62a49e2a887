{#-
    One wide assertion per model instead of one test per column and rule: a row fails when a column
    that must be set is NULL, a coded column holds a value outside its vocabulary, a key repeats, or a
    foreign key points at no row of its parent. The failing rows carry a `broken_rule` column naming
    the first rule they break (e.g. `references:report_id`).

    data_tests:
      - valid_columns:
          arguments:
            not_null: [report_id, item]
            accepted_values: {item: [total, basic]}
            unique: [fact_id, [report_id, item]]
            references:
              report_id: {to: ref('fct_report'), field: report_id}

    A key of one column ignores NULLs (as dbt's `unique`); a key of several columns compares NULLs as
    equal (as GROUP BY does). A NULL foreign key is not checked (as dbt's `relationships`).
-#}
{% test valid_columns(model, not_null=[], accepted_values={}, unique=[], references={}) %}
with counted as (
    select
        *
        {%- for key in unique %}
        {%- set columns = [key] if key is string else key %}
        , count(*) over (partition by {% for column in columns %}{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor %}) as _key_{{ loop.index }}_rows
        {%- endfor %}
    from {{ model }}
),

checked as (
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
        {%- for key in unique %}
            {%- if key is string %}
            when {{ adapter.quote(key) }} is not null and _key_{{ loop.index }}_rows > 1 then 'unique:{{ key }}'
            {%- else %}
            when _key_{{ loop.index }}_rows > 1 then 'unique:{{ key | join("+") }}'
            {%- endif %}
        {%- endfor %}
        {%- for column, parent in references.items() %}
            when {{ adapter.quote(column) }} is not null
                and {{ adapter.quote(column) }} not in (
                    select {{ adapter.quote(parent.field) }} from {{ parent.to }}
                    where {{ adapter.quote(parent.field) }} is not null
                )
                then 'references:{{ column }}'
        {%- endfor %}
        end as broken_rule
    from counted
)

select * from checked where broken_rule is not null
{% endtest %}
