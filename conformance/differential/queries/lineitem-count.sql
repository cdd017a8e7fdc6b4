select count(*), count(distinct l_orderkey), min(l_shipdate), max(l_shipdate) from lineitem
