-- One row per report that is not failed, whatever its header: int_report_headlines. A view, as that is.
{{ config(materialized='view') }}

select * from {{ ref('int_report_headlines') }}
