/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it:
 * one holder at a time, optimistic concurrency on the Lease's resourceVersion, and expiry judged by
 * the *local* clock from the moment this process last saw the record change (never by trusting
 * another host's renewTime, so clock skew between nodes cannot shorten a lease).
 *
 * Timing contract (durations are checked by `checkLeaderElectionTimings`):
 *   - a follower takes over once it has seen the same record for `leaseDurationMs`;
 *   - the leader renews every `retryPeriodMs`; a renewal round that has not succeeded within
 *     `renewDeadlineMs` means leadership is lost. Because renewDeadline < leaseDuration, the old
 *     leader gives up before any follower may take over.
 *
 * The Lease is written with raw JSON requests: client-node's typed serializer would send its Date
 * fields with millisecond precision, which the API server's MicroTime parser rejects.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiException } from './client-node.ts';
import { ProjectorError } from '../core/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import { isNotFound, kubeError } from './errors.ts';
import { kubeRequest, readBody } from './http.ts';

/** The Lease spec fields leader election uses; times are MicroTime text (`…T10:00:00.000000Z`). */
export interface LeaseRecord {
  /** Empty when the lease was released. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string | undefined;
  renewTime: string | undefined;
  leaseTransitions: number;
}

export interface ObservedLease {
  record: LeaseRecord;
  resourceVersion: string;
}

/** Storage of one Lease. Every method throws ProjectorError; KubeConflict when another writer won. */
export interface LeaseLock {
  /** "namespace/name", for logs. */
  readonly description: string;
  /** Undefined when the Lease does not exist. */
  get(signal: AbortSignal): Promise<ObservedLease | undefined>;
  /** KubeConflict when the Lease already exists. */
  create(record: LeaseRecord, signal: AbortSignal): Promise<ObservedLease>;
  /** KubeConflict when `resourceVersion` is no longer current. */
  update(record: LeaseRecord, resourceVersion: string, signal: AbortSignal): Promise<ObservedLease>;
}

export interface LeaderElectionTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** client-go's defaults (and controller-runtime's): 15 s / 10 s / 2 s. */
export const DEFAULT_LEADER_ELECTION_TIMINGS: LeaderElectionTimings = Object.freeze({
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
});

/** client-go waits retryPeriod × [1, 1.2) between acquire attempts so followers do not poll in step. */
const ACQUIRE_JITTER_FACTOR = 1.2;

/** client-go's own checks: without them a leader could still act after a follower took over. */
export function checkLeaderElectionTimings(t: LeaderElectionTimings): void {
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) throw new ProjectorError('InvalidSpec', 'leader election: lease duration must be greater than renew deadline');
  if (!(t.renewDeadlineMs > ACQUIRE_JITTER_FACTOR * t.retryPeriodMs)) throw new ProjectorError('InvalidSpec', 'leader election: renew deadline must be greater than 1.2 × retry period');
  if (!(t.retryPeriodMs > 0)) throw new ProjectorError('InvalidSpec', 'leader election: retry period must be positive');
  if (t.leaseDurationMs < 1_000) throw new ProjectorError('InvalidSpec', 'leader election: lease duration must be at least 1s');
}

/** MicroTime as the API server writes it: always six fractional digits (JS time has milliseconds). */
export function formatMicroTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** client-go and controller-runtime use hostname + "_" + a random UUID. */
export function leaderIdentity(hostname: string, randomSuffix: string): string {
  return `${hostname}_${randomSuffix}`;
}

export interface LeaderElectorOptions extends LeaderElectionTimings {
  lock: LeaseLock;
  identity: string;
  clock: Clock;
  log: Logger;
  /** Spreads acquire attempts over [retryPeriod, 1.2 × retryPeriod); tests pass the identity. */
  jitter?: (retryPeriodMs: number) => number;
}

export interface LeadershipHooks {
  /** Runs the leader's work until `leading` aborts (lost lease or shutdown). */
  onStartedLeading(leading: AbortSignal): Promise<void>;
  /** Renewal failed past the deadline. In the operator this exits the process (controller-runtime does). */
  onLostLeadership(): void;
}

/** How `LeaderElector.run` ended: `stopped` = the signal aborted (the lease was released if held). */
export type LeadershipOutcome = 'stopped' | 'lost';

function jitterUpTo20Percent(ms: number): number {
  return ms * (1 + Math.random() * (ACQUIRE_JITTER_FACTOR - 1));
}

function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

function describeError(e: unknown): { code?: string; httpStatus?: number } {
  return e instanceof ProjectorError ? { code: e.code, httpStatus: e.details.httpStatus } : { code: (e as { name?: string })?.name };
}

export class LeaderElector {
  readonly identity: string;
  readonly #o: LeaderElectorOptions;
  readonly #jitter: (ms: number) => number;
  #observed: ObservedLease | undefined;
  /** Local time when the observed record last changed: expiry is measured from here. */
  #observedAtMs = 0;
  #lastReportedHolder: string | undefined;
  /** Set once renewal failed past the deadline: whatever the last record says, we no longer lead. */
  #lost = false;
  /** Local time when the last successful acquire/renew request was sent; writes are safe for renewDeadline after it. */
  #renewedAtMs: number | undefined;

  constructor(o: LeaderElectorOptions) {
    checkLeaderElectionTimings(o);
    this.#o = o;
    this.identity = o.identity;
    this.#jitter = o.jitter ?? jitterUpTo20Percent;
  }

  /** True while the last record this process read or wrote names it as holder and it has not lost the lease. */
  isLeader(): boolean {
    return !this.#lost && this.#observed?.record.holderIdentity === this.identity;
  }

  /**
   * True while this process leads *and* its last successful renewal was sent less than the renew
   * deadline ago (local clock). A follower may take over only a lease duration after it saw that
   * renewal, and renewDeadline < leaseDuration, so a write allowed here cannot overlap a successor's
   * work. It turns false by itself when the process was paused (SIGSTOP, a long GC, a frozen VM)
   * past the deadline: after such a pause nothing is written until a renewal succeeds again.
   */
  mayWrite(): boolean {
    return this.isLeader() && this.#renewedAtMs !== undefined && this.#o.clock.now().getTime() - this.#renewedAtMs < this.#o.renewDeadlineMs;
  }

  /** The holder in the last record seen ('' when released, undefined before the first read). */
  observedHolder(): string | undefined {
    return this.#observed?.record.holderIdentity;
  }

  /**
   * Acquires the lease, leads until the signal aborts or the lease is lost, then stops the leader's
   * work. On shutdown the lease is released after the work has stopped, so a successor starts at once
   * without overlapping our last writes. On loss `onLostLeadership` is called as soon as the work is
   * told to stop: the lease may already belong to someone else.
   */
  async run(signal: AbortSignal, hooks: LeadershipHooks): Promise<LeadershipOutcome> {
    if (!(await this.acquire(signal))) return 'stopped';
    const leading = new AbortController();
    const stopRenewing = new AbortController();
    let workFailure: { error: unknown } | undefined;
    const work = Promise.resolve()
      .then(() => hooks.onStartedLeading(leading.signal))
      .catch((error: unknown) => {
        workFailure = { error };
        stopRenewing.abort();
      });
    const outcome = await this.renew(AbortSignal.any([signal, stopRenewing.signal]));
    leading.abort();
    if (outcome === 'lost') {
      this.#lost = true;
      this.#o.log.fatal({ lease: this.#o.lock.description, identity: this.identity }, 'leader election lost');
      hooks.onLostLeadership();
      await work;
      return 'lost';
    }
    await work;
    await this.release();
    if (workFailure) throw workFailure.error;
    return 'stopped';
  }

  /** Tries every retry period (jittered) until this process holds the lease; false if aborted first. */
  async acquire(signal: AbortSignal): Promise<boolean> {
    this.#o.log.info({ lease: this.#o.lock.description, identity: this.identity }, 'attempting to acquire leader lease');
    for (;;) {
      if (signal.aborted) return false;
      if (await this.tryAcquireOrRenew(signal)) {
        this.#o.log.info({ lease: this.#o.lock.description, identity: this.identity, leaseTransitions: this.#observed?.record.leaseTransitions }, 'successfully acquired lease');
        return true;
      }
      if (!(await this.#sleep(this.#jitter(this.#o.retryPeriodMs), signal))) return false;
    }
  }

  /**
   * Call right after acquiring. Renews every retry period while the signal is live. Returns `lost`
   * when a renewal round has not succeeded within the renew deadline, or at once when a read of the
   * Lease shows another holder (a newer leader exists: going on until the deadline would let two
   * instances write), `stopped` when the signal aborted.
   */
  async renew(signal: AbortSignal): Promise<LeadershipOutcome> {
    for (;;) {
      // The lease was just written (acquired or renewed): the next renewal is one retry period away.
      if (!(await this.#sleep(this.#o.retryPeriodMs, signal))) return 'stopped';
      const renewed = await this.#renewWithinDeadline(signal);
      if (signal.aborted) return 'stopped';
      if (!renewed) return 'lost';
    }
  }

  /**
   * Gives the lease up (holder '' and a 1 s duration) so a follower takes over on its next attempt.
   * Only if we still hold it by our last observation; false when there was nothing to release or
   * the write failed (the lease then simply expires).
   */
  async release(): Promise<boolean> {
    const held = this.#observed;
    if (!held || !this.isLeader()) return false;
    const now = formatMicroTime(this.#o.clock.now());
    const record: LeaseRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: held.record.leaseTransitions };
    const deadline = this.#deadline(this.#o.renewDeadlineMs, undefined);
    try {
      try {
        this.#observe(await this.#o.lock.update(record, held.resourceVersion, deadline.signal));
      } catch (e) {
        // A renewal cut short by the shutdown may still have reached the API server, leaving our view
        // one version behind: read the Lease again and release it if it still names us.
        if (!(e instanceof ProjectorError && e.code === 'KubeConflict')) throw e;
        const current = await this.#o.lock.get(deadline.signal);
        if (!current || current.record.holderIdentity !== this.identity) return false;
        this.#observe(await this.#o.lock.update({ ...record, leaseTransitions: current.record.leaseTransitions }, current.resourceVersion, deadline.signal));
      }
      this.#o.log.info({ lease: this.#o.lock.description, identity: this.identity }, 'released leader lease');
      return true;
    } catch (e) {
      this.#o.log.warn({ lease: this.#o.lock.description, err: describeError(e) }, 'could not release leader lease; it will expire');
      return false;
    } finally {
      deadline.cancel();
    }
  }

  /** One attempt: create, renew or take over the lease. Never throws; false when it is not ours. */
  async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    return (await this.#attempt(signal)) === 'held';
  }

  /**
   * One attempt, telling "not ours this time" (unreachable, conflict) from "another instance holds
   * it" (`other-holder`: a read showed a different, unexpired holder).
   */
  async #attempt(signal: AbortSignal): Promise<'held' | 'not-held' | 'other-holder'> {
    const { lock, clock, log } = this.#o;
    const now = clock.now();
    let current: ObservedLease | undefined;
    try {
      current = await lock.get(signal);
    } catch (e) {
      log.warn({ lease: lock.description, err: describeError(e) }, 'error retrieving leader lease');
      return 'not-held';
    }
    if (!current) return this.#write(() => lock.create(this.#recordAt(now, 0, undefined), signal), 'create', now, signal);

    this.#observe(current);
    if (this.#heldByAnother(now)) {
      log.debug({ lease: lock.description, holder: current.record.holderIdentity }, 'lease is held by another instance and has not yet expired');
      return 'other-holder';
    }
    const isRenewal = current.record.holderIdentity === this.identity;
    const record = isRenewal
      ? this.#recordAt(now, current.record.leaseTransitions, current.record.acquireTime)
      : this.#recordAt(now, current.record.leaseTransitions + 1, undefined);
    return this.#write(() => lock.update(record, current.resourceVersion, signal), isRenewal ? 'renew' : 'take over', now, signal);
  }

  #heldByAnother(now: Date): boolean {
    const holder = this.#observed?.record.holderIdentity;
    return holder !== undefined && holder !== '' && holder !== this.identity && !this.#hasExpired(now);
  }

  async #write(attempt: () => Promise<ObservedLease>, what: string, sentAt: Date, signal: AbortSignal): Promise<'held' | 'not-held' | 'other-holder'> {
    try {
      this.#observe(await attempt());
      this.#renewedAtMs = sentAt.getTime();
      return 'held';
    } catch (e) {
      const conflict = e instanceof ProjectorError && e.code === 'KubeConflict';
      this.#o.log[conflict ? 'debug' : 'warn']({ lease: this.#o.lock.description, err: describeError(e) }, `could not ${what} leader lease`);
      if (!conflict) return 'not-held';
      // Another instance wrote first: read its record at once, so a leader learns now (not at its
      // next attempt) that someone else holds the lease.
      try {
        const current = await this.#o.lock.get(signal);
        if (current) this.#observe(current);
      } catch {
        return 'not-held';
      }
      return this.#heldByAnother(this.#o.clock.now()) ? 'other-holder' : 'not-held';
    }
  }

  #recordAt(now: Date, leaseTransitions: number, acquireTime: string | undefined): LeaseRecord {
    const t = formatMicroTime(now);
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
      acquireTime: acquireTime ?? t,
      renewTime: t,
      leaseTransitions,
    };
  }

  #observe(lease: ObservedLease): void {
    if (!this.#observed || !sameRecord(this.#observed.record, lease.record)) this.#observedAtMs = this.#o.clock.now().getTime();
    this.#observed = lease;
    const holder = lease.record.holderIdentity;
    if (holder !== this.#lastReportedHolder) {
      this.#lastReportedHolder = holder;
      this.#o.log.info({ lease: this.#o.lock.description, holder: holder || '(released)' }, 'new leader observed');
    }
  }

  #hasExpired(now: Date): boolean {
    const durationMs = (this.#observed?.record.leaseDurationSeconds ?? 0) * 1000;
    return this.#observedAtMs + durationMs <= now.getTime();
  }

  /**
   * client-go's renew round: try at once, then every retry period, until success or the deadline.
   * Unlike client-go, a round ends (false) as soon as another holder is seen: client-go keeps trying
   * until its deadline, and its workers run on meanwhile.
   */
  async #renewWithinDeadline(signal: AbortSignal): Promise<boolean> {
    const deadline = this.#deadline(this.#o.renewDeadlineMs, signal);
    try {
      for (;;) {
        const attempt = await this.#attempt(deadline.signal);
        if (attempt === 'held') return true;
        if (attempt === 'other-holder') {
          this.#o.log.warn({ lease: this.#o.lock.description, holder: this.#observed?.record.holderIdentity }, 'another instance holds the leader lease; stopping at once');
          return false;
        }
        if (!(await this.#sleep(this.#o.retryPeriodMs, deadline.signal))) return false;
      }
    } finally {
      deadline.cancel();
    }
  }

  /** A signal that aborts after `ms` on the injected clock or when `parent` aborts. */
  #deadline(ms: number, parent: AbortSignal | undefined): { signal: AbortSignal; cancel(): void } {
    const expired = new AbortController();
    const cancelled = new AbortController();
    this.#o.clock.sleep(ms, cancelled.signal).then(
      () => expired.abort(new ProjectorError('KubeUnavailable', 'leader lease request: deadline exceeded')),
      () => undefined,
    );
    const signal = parent ? AbortSignal.any([parent, expired.signal]) : expired.signal;
    return { signal, cancel: () => cancelled.abort() };
  }

  /** False when the signal aborted during the sleep. */
  async #sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await this.#o.clock.sleep(ms, signal);
      return true;
    } catch {
      return false;
    }
  }
}

// ---- The Lease on the API server -------------------------------------------------------------

interface LeaseObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: Partial<LeaseRecord>;
}

function toRecord(spec: Partial<LeaseRecord> | undefined): LeaseRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: spec?.acquireTime,
    renewTime: spec?.renewTime,
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
}

/** A Lease read and written with plain JSON over client-node's authenticated transport. */
export class KubeLeaseLock implements LeaseLock {
  readonly description: string;
  readonly #kc: KubeConfig;
  readonly #namespace: string;
  readonly #name: string;

  constructor(kubeConfig: KubeConfig, namespace: string, name: string) {
    this.#kc = kubeConfig;
    this.#namespace = namespace;
    this.#name = name;
    this.description = `${namespace}/${name}`;
  }

  async get(signal: AbortSignal): Promise<ObservedLease | undefined> {
    try {
      return this.#observed(await this.#request('GET', this.#itemPath(), undefined, signal));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw kubeError(e, `get Lease ${this.description}`);
    }
  }

  async create(record: LeaseRecord, signal: AbortSignal): Promise<ObservedLease> {
    try {
      return this.#observed(await this.#request('POST', this.#collectionPath(), this.#body(record, undefined), signal));
    } catch (e) {
      throw kubeError(e, `create Lease ${this.description}`);
    }
  }

  async update(record: LeaseRecord, resourceVersion: string, signal: AbortSignal): Promise<ObservedLease> {
    try {
      return this.#observed(await this.#request('PUT', this.#itemPath(), this.#body(record, resourceVersion), signal));
    } catch (e) {
      throw kubeError(e, `update Lease ${this.description}`);
    }
  }

  #collectionPath(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.#namespace)}/leases`;
  }

  #itemPath(): string {
    return `${this.#collectionPath()}/${encodeURIComponent(this.#name)}`;
  }

  #body(record: LeaseRecord, resourceVersion: string | undefined): LeaseObject {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.#name, namespace: this.#namespace, resourceVersion },
      spec: record,
    };
  }

  #observed(obj: LeaseObject): ObservedLease {
    return { record: toRecord(obj.spec), resourceVersion: obj.metadata.resourceVersion ?? '' };
  }

  /** Non-2xx answers become ApiException (status code + Status body) so kubeError maps them as elsewhere. */
  async #request(method: 'GET' | 'POST' | 'PUT', path: string, body: LeaseObject | undefined, signal: AbortSignal): Promise<LeaseObject> {
    const payload = body ? JSON.stringify(body) : undefined;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload) headers['content-type'] = 'application/json';
    const res = await kubeRequest(this.#kc, { method, path, headers, payload, signal });
    const text = await readBody(res, 1024 * 1024);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw new ApiException(status, `HTTP ${status}`, parseStatusBody(text), {});
    return JSON.parse(text) as LeaseObject;
  }
}

function parseStatusBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
