select * from {{ ref('int_departments') }}
