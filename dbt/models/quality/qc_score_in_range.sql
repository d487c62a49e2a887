-- Rows of the score_in_range check: every stated or derived score against 0 and its maximum (100 when none).
select
    report_id,
    score_item || ' ' || {{ printed_number('score') }} as observed,
    'between 0 and ' || {{ printed_number('coalesce(max_score, 100)') }} as expected,
    cast(greatest(0 - score, score - coalesce(max_score, 100)) as double) as deviation,
    0.0 as tolerance
from {{ ref('int_score_facts') }}
where score is not null
