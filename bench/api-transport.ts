// What one API request costs the client's CPU and allocations over HTTP/1.1 keep-alive (the
// node:https pool src/kube/http.ts keeps, and an undici Pool) and over one HTTP/2 connection
// (client-go's default), on a real kube-apiserver. Each
// "sync" is the requests a first sync of one ExternalSecret makes: create a Secret, read it, patch
// it, create an Event; `--concurrency` of them at once, as the operator's workers.
//
//   node_modules/.bin/node bench/api-transport.ts [--syncs=1000] [--reps=3] [--concurrency=10]
//
// The client of each run is a process of its own (this file with `client` as first argument), so
// its CPU (process.cpuUsage, after 20 warm-up syncs), bytes allocated (a sampling heap profile
// that counts freed objects too) and RSS are its own. Runs alternate.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { Pool } from 'undici';

type Send = (method: string, path: string, body?: string, contentType?: string) => Promise<[number, string]>;

interface KubeconfigJson {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { token: string } }[];
}

function h1(server: URL, ca: Buffer, token: string): Send {
  const agent = new https.Agent({ keepAlive: true, maxFreeSockets: 25, scheduling: 'lifo', secureContext: tls.createSecureContext({ ca }) });
  return (method, path, body, contentType) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', 'user-agent': 'projector' };
      if (body !== undefined) Object.assign(headers, { 'content-type': contentType!, 'content-length': String(Buffer.byteLength(body)) });
      const r = https.request({ host: server.hostname, port: server.port, path, method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve([res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')]));
      });
      r.on('error', reject);
      r.end(body);
    });
}

function h2(server: URL, ca: Buffer, token: string): Send {
  const session = http2.connect(server.origin, { ca });
  session.on('error', (e) => console.error(`http2 session: ${e.message}`));
  return (method, path, body, contentType) =>
    new Promise((resolve, reject) => {
      const headers: http2.OutgoingHttpHeaders = { ':method': method, ':path': path, authorization: `Bearer ${token}`, accept: 'application/json', 'user-agent': 'projector' };
      if (body !== undefined) Object.assign(headers, { 'content-type': contentType!, 'content-length': String(Buffer.byteLength(body)) });
      const s = session.request(headers, { endStream: body === undefined });
      let status = 0;
      const chunks: Buffer[] = [];
      s.on('response', (h) => (status = Number(h[':status'])));
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => resolve([status, Buffer.concat(chunks).toString('utf8')]));
      s.on('error', reject);
      if (body !== undefined) s.end(body);
    });
}

/** An undici Pool (keep-alive, up to 25 connections), the dispatcher Node's fetch is built on. */
function undiciPool(server: URL, ca: Buffer, token: string): Send {
  const pool = new Pool(server.origin, { connections: 25, connect: { ca } });
  return async (method, path, body, contentType) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', 'user-agent': 'projector' };
    if (body !== undefined) Object.assign(headers, { 'content-type': contentType!, 'content-length': String(Buffer.byteLength(body)) });
    const res = await pool.request({ method: method as 'GET', path, headers, ...(body !== undefined ? { body } : {}) });
    return [res.statusCode, await res.body.text()];
  };
}

async function client(kubeconfig: string, mode: string, syncs: number, concurrency: number, namespace: string): Promise<void> {
  const kc = JSON.parse(readFileSync(kubeconfig, 'utf8')) as KubeconfigJson;
  const server = new URL(kc.clusters[0]!.cluster.server);
  const ca = Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data'], 'base64');
  const send = (mode === 'h2' ? h2 : mode === 'undici' ? undiciPool : h1)(server, ca, kc.users[0]!.user.token);
  const base = `/api/v1/namespaces/${namespace}`;
  const sync = async (name: string) => {
    const codes = [
      (await send('POST', `${base}/secrets`, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, labels: { 'reconcile.external-secrets.io/managed': 'true' } }, data: { k: 'dg==' } }), 'application/json'))[0],
      await send('GET', `${base}/secrets/${name}`).then(([c, b]) => (JSON.parse(b), c)),
      (await send('PATCH', `${base}/secrets/${name}`, JSON.stringify({ metadata: { annotations: { a: 'b' } } }), 'application/merge-patch+json'))[0],
      (await send('POST', `${base}/events`, JSON.stringify({ apiVersion: 'v1', kind: 'Event', metadata: { generateName: 'e-' }, involvedObject: { kind: 'Secret', namespace, name }, reason: 'Created', message: 'secret created', type: 'Normal' }), 'application/json'))[0],
    ];
    if (codes.join() !== '201,200,200,201') throw new Error(`unexpected status codes ${codes.join()}`);
  };
  for (let i = 0; i < 20; i++) await sync(`warm-${i}`);
  // Bytes allocated: a sampling heap profile that keeps the objects the collector has freed, so its
  // total is what was allocated, not what is live (V8's sampling, one sample per 16 KB on average).
  const inspector = new Session();
  inspector.connect();
  await inspector.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < syncs; i = next++) await sync(`s-${i}`);
  }));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const { profile } = await inspector.post('HeapProfiler.stopSampling');
  type Node = { selfSize: number; children: Node[] };
  const total = (n: Node): number => n.children.reduce((a, c) => a + total(c), n.selfSize);
  console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs, rssMb: process.memoryUsage().rss / 2 ** 20, allocatedMb: total(profile.head as Node) / 2 ** 20 }));
  process.exit(0);
}

async function main(): Promise<void> {
  const { startControlPlane } = await import('../test/support/controlplane.ts');
  const { intArg, machine, printTable } = await import('./bench-world.ts');
  const syncs = intArg('syncs', 1000);
  const reps = intArg('reps', 3);
  const concurrency = intArg('concurrency', 10);
  const cp = await startControlPlane();
  const rows: Record<string, string | number>[] = [];
  try {
    for (let rep = 1; rep <= reps; rep++) {
      for (const mode of ['h1', 'h2', 'undici']) {
        const namespace = `transport-${mode}-${rep}`;
        await cp.admin.makeApiClient((await import('@kubernetes/client-node')).CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
        const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'client', cp.kubeconfigPath, mode, String(syncs), String(concurrency), namespace], { encoding: 'utf8' });
        const r = JSON.parse(out.trim().split('\n').at(-1)!) as { cpuMs: number; wallMs: number; rssMb: number; allocatedMb: number };
        const transport = { h1: 'HTTP/1.1 keep-alive (node:https Agent)', h2: 'HTTP/2, one connection', undici: 'HTTP/1.1 keep-alive (undici Pool)' }[mode] ?? mode;
        rows.push({ rep, transport, requests: syncs * 4, 'CPU ms': r.cpuMs.toFixed(0), 'CPU ms/request': (r.cpuMs / (syncs * 4)).toFixed(3), 'allocated KB/request': ((r.allocatedMb * 1024) / (syncs * 4)).toFixed(1), 'wall s': (r.wallMs / 1000).toFixed(1), 'RSS MB': r.rssMb.toFixed(0) });
      }
    }
  } finally {
    await cp.stop();
  }
  printTable(`API transport, ${syncs} syncs × 4 requests, concurrency ${concurrency} (${machine()})`, rows);
}

if (process.argv[2] === 'client') await client(process.argv[3]!, process.argv[4]!, Number(process.argv[5]), Number(process.argv[6]), process.argv[7]!);
else await main();
