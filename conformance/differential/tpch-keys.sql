-- Run after loading (one statement per line, in parallel), then ANALYZE: the keys and
-- the indexes PostgreSQL needs for sane plans of the correlated subqueries of
-- Q2 (partsupp by part), Q17 and Q20 (lineitem by part / part and supplier) and Q21
-- (lineitem by order: without it PostgreSQL runs Q21 at SF 1 for more than 10 minutes).
alter table region add primary key (r_regionkey)
alter table nation add primary key (n_nationkey)
alter table part add primary key (p_partkey)
alter table supplier add primary key (s_suppkey)
alter table partsupp add primary key (ps_partkey, ps_suppkey)
alter table customer add primary key (c_custkey)
alter table orders add primary key (o_orderkey)
alter table lineitem add primary key (l_orderkey, l_linenumber)
create index lineitem_part_supp on lineitem (l_partkey, l_suppkey)
