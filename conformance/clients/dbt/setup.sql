-- The sources of the dbt project, made fresh: Parquet tables in the lake catalog and a table
-- in memory, from the generated TPC-H data. Orders after 1997 arrive later (more-orders.sql).
\set ON_ERROR_STOP on
drop schema if exists dbt cascade;
create schema if not exists "lake.dbt_src";
drop table if exists lake.dbt_src.customers;
create table lake.dbt_src.customers as
  select c_custkey, c_name, c_nationkey, c_acctbal, c_mktsegment from tpch.tiny.customer;
create schema if not exists dbt_src;
drop table if exists memory.dbt_src.orders;
create table memory.dbt_src.orders as
  select o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate from tpch.tiny.orders
  where o_orderdate < date '1998-01-01';
