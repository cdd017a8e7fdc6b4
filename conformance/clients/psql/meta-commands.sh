# psql meta-commands over the emulated pg_catalog (sourced by run.sh; uses its q/expect/ok/bad helpers).
# Mapping (docs/catalogs.md): the database is the default catalog, whose schemas appear under their
# own names; every other catalog's schemas appear as "catalog.schema". The gateway of scripts/test-all.sh
# has catalog pg (the test PostgreSQL's database lakegate_remote, schema public; scripts/services/gateway.sh).

meta_lines() { # NAME GREP_PATTERN EXPECTED_COUNT psql-args...
  local name="$1" pattern="$2" want="$3"; shift 3
  local out rc n
  out="$(q "$@" 2>"$WORK/err")"; rc=$?
  n="$(grep -cE "$pattern" <<<"$out")"
  if [ $rc -eq 0 ] && [ "$n" = "$want" ]; then ok "$name"
  else bad "$name" "exit $rc, $n lines match $pattern (want $want)" "stdout: $(head -c 600 <<<"$out")" "stderr: $(head -c 600 "$WORK/err")"; fi
}

if gateway_only "psql \\dn (database tpch)"; then
  expect "psql \\dn (database tpch)" "$(printf '%s\n' 'memory.public' 'pg.public' sf1 sf10 sf100 sf1000 sf10000 sf100000 sf300 sf3000 sf30000 tiny | sed "s/\$/|$USER_/")" -d tpch -c '\dn'
fi
if gateway_only "psql \\dt tiny.* (database tpch)"; then
  expect "psql \\dt tiny.* (database tpch)" \
    "$(printf '%s\n' customer lineitem nation orders part partsupp region supplier | sed "s/^/tiny|/; s/\$/|table|$USER_/")" -d tpch -c '\dt tiny.*'
fi
if gateway_only "psql \\dt \"tpch.tiny\".* (another database)"; then
  expect "psql \\dt \"tpch.tiny\".* (another database)" \
    "$(printf '%s\n' customer lineitem nation orders part partsupp region supplier | sed "s/^/tpch.tiny|/; s/\$/|table|$USER_/")" -c '\dt "tpch.tiny".*'
fi
if gateway_only "psql \\dt *.* lists every catalog's tables"; then
  meta_lines "psql \\dt *.* lists every catalog's tables" '^(tpch\.)?(tiny|sf1)\|nation\|table\|' 2 -c '\dt *.*'
fi
if gateway_only "psql \\l lists every catalog"; then
  meta_lines "psql \\l lists every catalog" '^(tpch|memory|lake|pg)\|[^|]*\|UTF8\|' 4 -c '\l'
fi
meta_lines "psql \\du shows the user" "^$USER_\\|" 1 -c '\du'
view="psql_meta_v_$$"
expect "psql \\dv after CREATE VIEW" "public|$view|view|$USER_" \
  -c "drop view if exists $view" -c "create view $view as select 1 as one" -c "\\dv $view" -c "drop view $view" -q
if gateway_only "psql \\d tiny.nation (database tpch)"; then
  expect "psql \\d tiny.nation (database tpch)" \
    "$(printf '%s\n' 'n_nationkey|integer||not null|' 'n_name|character(25)||not null|' 'n_regionkey|integer||not null|' 'n_comment|character varying(152)||not null|')" \
    -d tpch -c '\d tiny.nation'
fi
if gateway_only "psql \\d+ tiny.region (database tpch)"; then
  meta_lines "psql \\d+ tiny.region (database tpch)" '^r_(regionkey|name|comment)\|' 3 -d tpch -c '\d+ tiny.region'
fi
