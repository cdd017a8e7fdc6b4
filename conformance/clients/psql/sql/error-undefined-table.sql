\set ON_ERROR_STOP on
\set VERBOSITY verbose
select 'before';
select * from no_such_table_lakegate;
select 'not reached';
