{#- Shared SQL expressions of the govperf models. -#}

{% macro department_name_normalised(expr) -%}
    {#- Key form of a department or region name: no whitespace at all. -#}
    regexp_replace(coalesce({{ expr }}, ''), '\s', '', 'g')
{%- endmacro %}

{% macro indicator_name_normalised(expr) -%}
    {#- Match form of an indicator name: no whitespace, quotes or parenthesised asides, lower case,
        so 部门预算资金支出率 matches 部门(单位)预算资金支出率 and "三公"经费 matches “三公”经费. -#}
    lower(regexp_replace(regexp_replace({{ expr }}, '[(（][^)）]*[)）]', '', 'g'),
                         '[\s"“”''‘’「」『』]', '', 'g'))
{%- endmacro %}

{% macro value_decimals(value) -%}
    {#- Decimals of a decimal value once trailing zeros are dropped (the precision it was printed with,
        unless the report printed trailing zeros). -#}
    length(rtrim(split_part(cast({{ value }} as varchar), '.', 2), '0'))
{%- endmacro %}

{% macro printed_decimals(text, value) -%}
    {#- Decimals of the last number in the printed text, else of the value itself. -#}
    case
        when regexp_matches(coalesce({{ text }}, ''), '[0-9]')
            then length(regexp_extract({{ text }}, '[0-9][0-9,]*(\.([0-9]+))?[^0-9]*$', 2))
        else {{ value_decimals(value) }}
    end
{%- endmacro %}

{% macro half_unit(decimals, scale=1) -%}
    {#- Half a unit of the last printed decimal, times the size of the printed unit. -#}
    cast(0.5 * pow(10, -({{ decimals }})) * {{ scale }} as decimal(24, 10))
{%- endmacro %}
