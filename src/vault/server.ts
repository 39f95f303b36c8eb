// node:https adapter for the vault app (and node:http for its IMDS listener): the only socket code in
// src/vault/. It loads state, keys and certificates from dataDir, then serves app.handle.
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../platform/logger.ts';
import type { StartedVault, VaultOptions, VaultPrincipal } from './index.ts';
import { createVaultApp, type VaultRequest, type VaultResponse } from './app.ts';
import { VaultState, type VaultStateSnapshot } from './state.ts';
import { JsonFileStore, readJsonFile, writeFileAtomic } from './persistence.ts';
import { ensureTlsMaterial } from './tls.ts';
import { Throttle } from './throttle.ts';
import { FaultPlan, mangleBody } from './faults.ts';
import { PrincipalRegistry } from './auth/principals.ts';
import { fetchJwks } from './jwks-client.ts';
import { acquireDataDirLock, type DataDirLock } from './lock.ts';

export const DEFAULT_TENANT_ID = '72f988bf-0000-4000-8000-00000000d0c5';
const MAX_BODY_BYTES = 1024 * 1024;

export async function startVault(opts: VaultOptions): Promise<StartedVault> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Before anything in the directory is read or written: a second process on the same state would
  // erase the first one's writes (issue 12).
  const lock = acquireDataDirLock(dataDir, opts.owner ?? defaultOwner());
  try {
    return await startLocked(opts, dataDir, lock);
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** The command line without the runtime's path: `projector vault serve --port 0`. */
function defaultOwner(): string {
  const script = process.argv[1] ?? 'node';
  const name = /(?:^|\/)src\/cli\/main\.ts$|\/projector$/.test(script) ? 'projector' : script.split('/').pop() ?? script;
  return [name, ...process.argv.slice(2)].join(' ').slice(0, 300);
}

async function startLocked(opts: VaultOptions, dataDir: string, lock: DataDirLock): Promise<StartedVault> {
  const log = opts.log ?? silentLogger();
  const host = opts.host ?? '127.0.0.1';
  const tenantId = opts.tenantId ?? DEFAULT_TENANT_ID;
  const tls = await ensureTlsMaterial(join(dataDir, 'tls'), [host]);
  const signingKey = await ensureSigningKey(join(dataDir, 'signing-key'));

  let state = new VaultState();
  const stateStore = new JsonFileStore<VaultStateSnapshot>(join(dataDir, 'state.json'), () => state.toSnapshot());
  const loaded = stateStore.load();
  if (loaded) state = VaultState.fromSnapshot(loaded);
  const purged = state.purgeDue(Math.floor(Date.now() / 1000));
  if (purged.length > 0) await stateStore.save();

  const principalsFile = join(dataDir, 'principals.json');
  const principals = new PrincipalRegistry(tenantId, [...(readJsonFile<VaultPrincipal[]>(principalsFile) ?? []), ...(opts.principals ?? [])]);
  const faults = new FaultPlan();

  const https = createHttpsServer({ key: tls.keyPem, cert: tls.certPem });
  const imds = createHttpServer();
  // Tracked from the first connection on, so close() can end every one (closeServer).
  acceptedSockets(https);
  acceptedSockets(imds);
  let connections = 0;
  https.on('secureConnection', () => void connections++);
  const port = await listen(https, opts.port ?? 0, host);
  let imdsPort: number;
  try {
    imdsPort = await listen(imds, opts.imdsPort ?? 0, host);
  } catch (e) {
    // Do not leave the HTTPS listener open (and the process alive) behind a failed start.
    await closeServer(https);
    throw e;
  }
  const urlHost = urlHostOf(host);
  const url = `https://${urlHost}:${port}`;
  const imdsEndpoint = `http://${urlHost}:${imdsPort}`;

  const app = createVaultApp({
    state,
    principals,
    tenantId,
    baseUrl: url,
    signingKey,
    nowMs: () => Date.now(),
    newVersion: () => randomBytes(16).toString('hex'),
    persist: () => stateStore.save(),
    loadJwks: () => (opts.jwks ? fetchJwks(opts.jwks) : Promise.resolve({ keys: [] })),
    ...(opts.throttle && { throttle: new Throttle(opts.throttle) }),
    ...(opts.enforceValidity && { enforceValidity: true }),
    ...(opts.apiVersions && { apiVersions: opts.apiVersions }),
    faults,
    log,
  });

  https.on('request', (req, res) => void serve(req, res, (r) => app.handle(r), faults));
  imds.on('request', (req, res) => void serve(req, res, (r) => app.handleImds(r)));
  log.info({ url, imdsEndpoint, tenantId, caFile: tls.caFile, secrets: state.listSecrets().length }, 'vault listening');

  const savePrincipals = () => writeFileAtomic(principalsFile, JSON.stringify(principals.list(), null, 2));

  return {
    url,
    authorityHost: url,
    imdsEndpoint,
    tenantId,
    caPem: tls.caPem,
    caFile: tls.caFile,
    admin: {
      async setSecret(name, value, o = {}) {
        const { version } = state.setSecret(
          name,
          {
            value,
            ...(o.contentType !== undefined && { contentType: o.contentType }),
            ...(o.tags !== undefined && { tags: o.tags }),
            ...(o.enabled !== undefined && { enabled: o.enabled }),
            ...(o.notBefore !== undefined && { nbf: Math.floor(o.notBefore.getTime() / 1000) }),
            ...(o.expiresOn !== undefined && { exp: Math.floor(o.expiresOn.getTime() / 1000) }),
          },
          { now: Math.floor(Date.now() / 1000), version: randomBytes(16).toString('hex') },
        );
        await stateStore.save();
        return { version: version.version };
      },
      async deleteSecret(name) {
        state.deleteSecret(name, Math.floor(Date.now() / 1000));
        await stateStore.save();
      },
      async purgeSecret(name) {
        state.purgeDeleted(name);
        await stateStore.save();
      },
      secretNames() {
        return state.listSecrets().map((x) => x.name);
      },
      async addPrincipal(p) {
        app.addPrincipal(p);
        await savePrincipals();
      },
      principalIds() {
        return principals.list().map((p) => p.clientId);
      },
    },
    faults: {
      failNext: (status, count, o) => faults.failNext(status, count, o),
      setLatencyMs: (ms) => {
        faults.latencyMs = ms;
      },
      dropConnections: (on) => {
        faults.dropConnections = on;
      },
      mangleNext: (how, count, o) => faults.mangleNext(how, count, o),
      clear: () => faults.clear(),
    },
    stats: () => ({ ...app.stats(), connections }),
    async close() {
      await Promise.all([closeServer(https), closeServer(imds)]);
      await stateStore.flush();
      lock.release();
      log.info({ url }, 'vault stopped');
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, handle: (r: VaultRequest) => Promise<VaultResponse>, faults?: FaultPlan): Promise<void> {
  try {
    if (faults?.dropConnections) {
      req.socket.destroy();
      return;
    }
    if (faults && faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    const body = await readBody(req);
    if (body === undefined) {
      writeResponse(res, { status: 413, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'RequestTooLarge', message: 'The request body is too large.' } }) });
      return;
    }
    const out = await handle({ method: req.method ?? 'GET', url: req.url ?? '/', headers: flattenHeaders(req), body });
    const mangle = out.status === 200 ? faults?.takeMangle(new URL(req.url ?? '/', 'https://vault').pathname) : undefined;
    if (mangle) {
      const mangled = mangleBody(mangle, out.body);
      writeResponse(res, { ...out, headers: { ...out.headers, 'content-type': mangled.contentType }, body: mangled.body });
      return;
    }
    writeResponse(res, out);
  } catch {
    // Socket errors (client went away) end here; the app itself never throws.
    if (!res.headersSent) res.destroy();
  }
}

function writeResponse(res: ServerResponse, out: VaultResponse): void {
  const body = Buffer.from(out.body, 'utf8');
  res.writeHead(out.status, { ...out.headers, 'content-length': String(body.length), 'x-ms-keyvault-service-version': 'projector-local' });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolveBody(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops listening and ends every connection. `closeAllConnections` ends only the connections the
 * HTTP layer tracks; a TLS server's raw TCP sockets can outlive them (seen: one kept-alive client
 * connection whose raw socket stayed open after its TLS socket was destroyed, so `server.close`
 * never called back and the vault never stopped). Every socket the listener accepted is
 * therefore tracked and destroyed too.
 */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
    for (const socket of acceptedSockets(server)) socket.destroy();
  });
}

const accepted = new WeakMap<Server, Set<Socket>>();

/** The raw sockets `server` accepted and that are still open (tracked from its 'connection' event). */
function acceptedSockets(server: Server): Set<Socket> {
  let sockets = accepted.get(server);
  if (!sockets) {
    const set = (sockets = new Set<Socket>());
    accepted.set(server, set);
    server.on('connection', (socket: Socket) => {
      set.add(socket);
      socket.once('close', () => set.delete(socket));
    });
  }
  return sockets;
}

function urlHostOf(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

async function ensureSigningKey(path: string): Promise<Buffer> {
  if (existsSync(path)) return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  const key = randomBytes(32);
  await writeFileAtomic(path, key.toString('base64'), 0o600);
  return key;
}
