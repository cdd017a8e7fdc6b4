-- New source rows between the two runs: the second run's incremental model must pick them up.
\set ON_ERROR_STOP on
insert into memory.dbt_src.orders
  select o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate from tpch.tiny.orders
  where o_orderdate >= date '1998-01-01';
