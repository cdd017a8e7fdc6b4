-- the headline differential query (TPC-H Q1 shape, no filter)
select l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice), avg(l_discount), count(*)
from tpch.tiny.lineitem
group by 1, 2
order by 1, 2
