{{ config(materialized='view') }}

-- One row per department and fiscal year: the report chosen by int_report_versions, with the headline
-- columns of int_report_headlines (the report-level columns of mart_report left out).
select * exclude (report_type, parse_status, evaluator_kind, is_latest_version, score_total_is_derived)
from {{ ref('int_report_headlines') }}
where is_latest_version
