-- sort: 1, 2
-- the headline differential query (TPC-H Q1 shape, no filter)
select l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice), avg(l_discount), count(*)
from lineitem
group by 1, 2
order by 1, 2
