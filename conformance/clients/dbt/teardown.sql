-- What setup.sql and dbt made, removed so that other suites see the catalogs as they were.
drop schema if exists dbt cascade;
drop schema if exists dbt_src cascade;
drop schema if exists "lake.dbt_src" cascade;
