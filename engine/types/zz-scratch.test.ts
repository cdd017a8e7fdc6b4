import { test } from 'vitest';
import { execSync } from 'node:child_process';
import { parseInterval, formatInterval, multiplyInterval, divideInterval } from './interval.js';
const pg = (sql: string) => execSync(`psql -h 127.0.0.1 -p 54329 -U postgres -At -v ON_ERROR_STOP=1 2>/dev/null`, { input: sql, stdio: ['pipe','pipe','ignore'] }).toString();
const q = (expr: string, setup = '') => { try { return pg(`${setup} select (${expr})::text;`).trim().split('\n').at(-1)!; } catch (e) { return 'ERR'; } };
const tryit = (f: () => string) => { try { return f(); } catch (e) { return 'ERR'; } };
test('scratch', () => {
  let bad = 0;
  const inputs = ['1 year 2 mons 3 days 04:05:06.5','1 day 02:00:00','-1 day','90 days','1.5 hours','P1Y2M','1 day ago','0','-1 year -2 mons +3 days -04:05:06','1 mon -1 day','-00:00:01.5','100 years','1 year -1 mon','-1 year -1 mon','3 days 1 hour','1 min','@ 1 minute ago','1.5 years','1.5 months','0.5 days','P1DT2H3M4.5S','PT0.000001S','1 week','2 decades 1 century 1 millennium','10 ms','10 us','1:2','1:2:3.25','-1:2','1 day -01:00','P0001-02-03T04:05:06','1 mon 1 day','-1 mon -1 day','-1 days +02:03','1 year 00:00:01','1-2','-1 2:03:04','1 2:03:04','5','-5','abc','1 fortnight','1.5 weeks','2 hours 30 minutes ago','1 y 2 mon','PT1.5H','P1.5D','1day','0.1 sec','1 hour -30 min'];
  for (const st of ['postgres','iso_8601','sql_standard','postgres_verbose']) for (const i of inputs) {
    const want = q(`'${i}'::interval`, `set intervalstyle=${st};`); const got = tryit(() => formatInterval(parseInterval(i, st), st));
    if (want !== got) { bad++; console.log(st, JSON.stringify(i), 'pg', want, 'me', got); }
  }
  for (const [i, f] of [['1 day',1.5],['1 mon',0.5],['1 year',1.3333],['1 hour',2.000001],['1 mon 1 day 01:00',-0.7],['3 days 2 hours',1/3]] as [string,number][]) {
    const want = q(`'${i}'::interval * ${f}`); const got = tryit(() => formatInterval(multiplyInterval(parseInterval(i), f)));
    if (want !== got) { bad++; console.log('mul', i, f, 'pg', want, 'me', got); }
    const want2 = q(`'${i}'::interval / ${f}`); const got2 = tryit(() => formatInterval(divideInterval(parseInterval(i), f)));
    if (want2 !== got2) { bad++; console.log('div', i, f, 'pg', want2, 'me', got2); }
  }
  console.log('bad', bad);
}, 600000);
