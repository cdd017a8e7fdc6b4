select n.n_nationkey as nation_id, n.n_name as nation_name, r.region_code
from {{ source('tpch', 'nation') }} n
join {{ ref('regions') }} r on r.region_id = n.n_regionkey
