select
    c_custkey as customer_id,
    c_name as customer_name,
    c_nationkey as nation_id,
    c_acctbal as balance,
    c_mktsegment as segment
from {{ source('lake', 'customers') }}
