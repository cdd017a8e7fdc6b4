select
    c.customer_id,
    c.customer_name,
    n.nation_name,
    n.region_code,
    count(o.order_id) as order_count,
    coalesce(sum(o.total_price), 0) as lifetime_value,
    min(o.order_date) as first_order_date
from {{ ref('stg_customers') }} c
join {{ ref('stg_nations') }} n on n.nation_id = c.nation_id
left join {{ ref('stg_orders') }} o on o.customer_id = c.customer_id
group by 1, 2, 3, 4
