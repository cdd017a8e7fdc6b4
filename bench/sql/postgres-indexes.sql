-- Indexes on the foreign-key columns of the TPC-H schema, run after the primary keys of
-- conformance/differential/tpch-keys.sql (one statement per line). Together they are the
-- "usual" physical design of a PostgreSQL TPC-H setup: every join column is indexed.
create index orders_custkey on orders (o_custkey)
create index lineitem_suppkey on lineitem (l_suppkey)
create index partsupp_suppkey on partsupp (ps_suppkey)
create index customer_nationkey on customer (c_nationkey)
create index supplier_nationkey on supplier (s_nationkey)
create index nation_regionkey on nation (n_regionkey)
