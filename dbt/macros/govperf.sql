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

{% macro primary_flags(alias, key, value) -%}
    {#- The primary rule of stated facts, as columns of a select over one fact table named ``alias``:
        ``seq`` numbers the facts of one key (the report and the columns ``key``) by where they stand
        (source_start, source_end, then the stated ``value``); ``is_conflicting`` says the report states
        different values for that key; the first fact is primary unless the key is conflicting, and then
        none is (the marts' figure stays NULL, never a guess between the values). The parser
        (ingest/parse.py) sees the same conflicts while parsing and decides something else with them:
        a parse issue quoting the text and the report's partial status with its reason. -#}
    {%- set columns = [] %}
    {%- for column in ['report_id'] + key %}{% do columns.append(alias ~ '.' ~ column) %}{% endfor %}
    {%- set partition = columns | join(', ') %}
    row_number() over (
        partition by {{ partition }}
        order by {{ alias }}.source_start nulls last, {{ alias }}.source_end nulls last, {{ alias }}.{{ value }}
    ) as seq,
    coalesce(min({{ alias }}.{{ value }}) over (partition by {{ partition }})
        <> max({{ alias }}.{{ value }}) over (partition by {{ partition }}), false) as is_conflicting,
    seq = 1 and not is_conflicting as is_primary
{%- endmacro %}

{% macro stated_fact_columns(alias) -%}
    {#- The columns every int_ fact model carries from its stated facts (``alias``): provenance and the
        primary_flags columns. -#}
    {%- for column in ['source_text', 'source_start', 'source_end', 'source_page', 'source_locator', 'seq',
                       'is_conflicting', 'is_primary'] %}
    {{ alias }}.{{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro fact_mart(model, columns, where=none) -%}
    {#- The body of a fact mart over one int_ fact model: the fact's id and keys, its own ``columns``, whether
        it is primary, and its provenance; ``where`` picks the rows. -#}
select
    fact_id,
    report_id,
    department_key,
    fiscal_year,
    {%- for column in columns %}
    {{ column }},
    {%- endfor %}
    is_primary,
    source_text,
    source_start,
    source_end,
    source_page,
    source_locator
from {{ ref(model) }}
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}

{% macro printed_number(expr) -%}
    {#- A number as text the way a report prints it: no trailing zeros after the decimal point. -#}
    (case when cast({{ expr }} as varchar) like '%.%'
        then rtrim(rtrim(cast({{ expr }} as varchar), '0'), '.') else cast({{ expr }} as varchar) end)
{%- endmacro %}
