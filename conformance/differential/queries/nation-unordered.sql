-- no ORDER BY: compared as a multiset of rows
select n_nationkey, n_name, n_regionkey from nation
