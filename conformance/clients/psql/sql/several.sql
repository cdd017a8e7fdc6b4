-- several statements in one file; each result is printed in order
select 1 as one;
select 'lake' || 'gate' as word;
select 6 * 7 as answer, 'x' as x;
select n from (values (3), (1), (2)) as t(n) order by n;
select true, false, null::int4 is null;
select cast('2024-02-29' as date) as leap_day;
