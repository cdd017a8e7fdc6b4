// One client process of the soak benchmark (forked by soak.mjs): runs `clients` node-postgres
// connections against the gateway, each looping think -> one query of the mix (MIX below) ->
// record latency or SQLSTATE, and now and then disconnecting and connecting again.
// Messages from the parent: {cmd: 'flush'} -> replies {type: 'window', …} (latencies and
// errors since the last flush); {cmd: 'stop'} -> closes every connection, replies
// {type: 'stopped', …} and exits.
import net from 'node:net';
import pg from 'pg';

const { port, clients, thinkMs, rampMs, reconnectEvery, pgSchema } = JSON.parse(process.argv[2]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
const LONG = "select count(*) from tpch.sf1.lineitem where l_comment like '%zzz%'"; // ~6 s alone

/** kind -> [weight, run(client)]; a run throws the server's error. Documented in bench/README.md. */
const MIX = {
  select1: [25, (c) => c.query('select 1')],
  agg: [
    15,
    (c) =>
      c.query(
        pick([
          "select count(*), sum(o_totalprice) from tpch.tiny.orders where o_orderstatus = 'F'",
          'select l_returnflag, l_linestatus, count(*), sum(l_quantity) from tpch.tiny.lineitem group by 1, 2',
          'select r_name, count(*) from tpch.tiny.nation join tpch.tiny.region on n_regionkey = r_regionkey group by 1',
        ]),
      ),
  ],
  join: [
    10,
    (c) =>
      c.query(
        pick([
          'select n_name, count(*) from tpch.tiny.customer join tpch.tiny.nation on c_nationkey = n_nationkey group by n_name order by 2 desc limit 5',
          "select o_orderpriority, count(*) from tpch.tiny.orders join tpch.tiny.customer on o_custkey = c_custkey where c_mktsegment = 'BUILDING' group by 1 order by 1",
        ]),
      ),
  ],
  pg: [
    15,
    (c) =>
      Math.random() < 0.5
        ? c.query(`select o_orderstatus, o_totalprice from pg.${pgSchema}.orders where o_orderkey = ${1 + Math.floor(Math.random() * 60000)}`)
        : c.query(`select count(*), sum(c_acctbal) from pg.${pgSchema}.customer where c_nationkey = ${Math.floor(Math.random() * 25)}`),
  ],
  prepared: [
    25,
    (c) =>
      Math.random() < 0.5
        ? c.query({ name: 'soak_nation', text: 'select n_name, n_regionkey from tpch.tiny.nation where n_nationkey = $1', values: [Math.floor(Math.random() * 25)] })
        : c.query({ name: 'soak_order', text: `select o_orderstatus, o_totalprice from pg.${pgSchema}.orders where o_orderkey = $1`, values: [1 + Math.floor(Math.random() * 60000)] }),
  ],
  // a long scan cancelled 20–120 ms after it was sent (CancelRequest on a new connection)
  cancel: [
    1.5,
    async (c) => {
      const q = c.query(LONG);
      q.catch(() => {}); // awaited below
      await sleep(20 + Math.random() * 100);
      await sendCancel(c.processID, c.secretKey);
      await q;
    },
  ],
  // the same scan under statement_timeout = 100 ms
  timeout: [
    1.5,
    async (c) => {
      await c.query('set statement_timeout = 100');
      try {
        await c.query(LONG);
      } finally {
        await c.query('set statement_timeout = 0');
      }
    },
  ],
};
/** Kinds whose 57014 (query_canceled) is the expected outcome; completing is an error. */
const EXPECT_CANCEL = new Set(['cancel', 'timeout']);

const kinds = Object.keys(MIX);
const total = kinds.reduce((a, k) => a + MIX[k][0], 0);
function chooseKind() {
  let x = Math.random() * total;
  for (const k of kinds) if ((x -= MIX[k][0]) < 0) return k;
  return kinds[0];
}

function sendCancel(pid, key) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      const b = Buffer.alloc(16);
      b.writeInt32BE(16, 0);
      b.writeInt32BE(80877102, 4);
      b.writeInt32BE(pid | 0, 8);
      b.writeInt32BE(key | 0, 12);
      s.end(b);
    });
    s.on('close', resolve);
    s.on('error', resolve);
  });
}

// sleeps that end early when the run stops
const naps = new Set();
const nap = (ms) =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      naps.delete(done);
      resolve();
    };
    const t = setTimeout(done, ms);
    naps.add(done);
  });

let lat = {}; // kind -> [ms]
let errors = {}; // "kind SQLSTATE" -> count
let stopping = false;
let connected = 0;
const record = (kind, ms) => (lat[kind] ??= []).push(ms);
const fail = (kind, code) => (errors[`${kind} ${code}`] = (errors[`${kind} ${code}`] ?? 0) + 1);
const codeOf = (e) => e.code ?? `no SQLSTATE: ${String(e.message).slice(0, 60)}`;

async function open() {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'lakegate', database: 'tpch', application_name: 'lakegate-soak', connectionTimeoutMillis: 30_000 });
  c.on('error', () => {}); // a broken connection also fails its query; handled there
  const t0 = performance.now();
  try {
    await c.connect();
  } catch (e) {
    fail('connect', codeOf(e));
    c.end().catch(() => {});
    return undefined;
  }
  record('connect', performance.now() - t0);
  connected++;
  return c;
}
async function close(c) {
  connected--;
  await c.end().catch(() => {});
}

async function loop() {
  await nap(Math.random() * rampMs);
  let c;
  let n = 0;
  while (!stopping) {
    c ??= await open();
    if (!c) {
      await nap(1000);
      continue;
    }
    await nap(thinkMs * (0.5 + Math.random())); // uniform, mean thinkMs
    if (stopping) break;
    const kind = chooseKind();
    const t0 = performance.now();
    try {
      await MIX[kind][1](c);
      record(kind, performance.now() - t0);
      if (EXPECT_CANCEL.has(kind)) fail(kind, 'completed (not cancelled)');
    } catch (e) {
      if (EXPECT_CANCEL.has(kind) && e.code === '57014') record(kind, performance.now() - t0);
      else fail(kind, codeOf(e));
      if (!e.code) {
        // the connection is gone: start a new one
        await close(c);
        c = undefined;
        continue;
      }
    }
    if (reconnectEvery > 0 && ++n % reconnectEvery === 0) {
      await close(c);
      c = undefined;
    }
  }
  if (c) await close(c);
}

function takeWindow(type) {
  const w = { type, lat, errors, connected };
  lat = {};
  errors = {};
  return w;
}

const loops = Array.from({ length: clients }, () => loop());
process.on('message', async (m) => {
  if (m.cmd === 'flush') process.send(takeWindow('window'));
  else if (m.cmd === 'stop') {
    stopping = true;
    for (const wake of [...naps]) wake();
    await Promise.all(loops);
    process.send(takeWindow('stopped'), () => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
