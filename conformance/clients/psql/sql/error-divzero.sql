\set ON_ERROR_STOP on
\set VERBOSITY verbose
select 'before';
select 1 / 0;
select 'not reached';
