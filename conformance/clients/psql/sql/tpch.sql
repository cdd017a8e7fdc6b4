select count(*) from tpch.tiny.nation;
select count(*) from tpch.tiny.region;
select r_name from tpch.tiny.region order by r_regionkey;
select count(*) from tpch.tiny.orders;
