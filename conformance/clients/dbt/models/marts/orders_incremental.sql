{{ config(materialized='incremental') }}

select order_id, customer_id, order_status, total_price, order_date
from {{ ref('stg_orders') }}
{% if is_incremental() %}
where order_date > (select max(order_date) from {{ this }})
{% endif %}
