import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { operatorConfig } from '../../../src/config.ts';
import { ProjectorError } from '../../../src/core/errors.ts';
import {
  checkLeaderElectionTimings,
  DEFAULT_LEADER_ELECTION_TIMINGS,
  formatMicroTime,
  LeaderElector,
  leaderIdentity,
  type LeaseLock,
  type LeaseRecord,
  type ObservedLease,
} from '../../../src/kube/lease.ts';
import { silentLogger } from '../../../src/platform/logger.ts';
import { FakeClock } from '../../support/fake-clock.ts';

/** An in-memory Lease with the API server's optimistic concurrency, plus fault switches. */
class FakeLeaseLock implements LeaseLock {
  readonly description = 'external-secrets/projector-controller';
  stored: ObservedLease | undefined;
  writes: LeaseRecord[] = [];
  #rv = 0;
  /** Every call fails as if the API server were unreachable. */
  unreachable = false;
  /** Every call hangs until its signal aborts (a partitioned network). */
  hanging = false;
  /** Runs between the next read and the write that follows it: another writer sneaking in. */
  beforeNextWrite: (() => void) | undefined;

  async get(signal: AbortSignal): Promise<ObservedLease | undefined> {
    await this.#fault(signal);
    return this.stored && structuredClone(this.stored);
  }

  async create(record: LeaseRecord, signal: AbortSignal): Promise<ObservedLease> {
    await this.#fault(signal);
    this.#interleave();
    if (this.stored) throw new ProjectorError('KubeConflict', 'create Lease: conflict (AlreadyExists)', { httpStatus: 409 });
    return this.#store(record);
  }

  async update(record: LeaseRecord, resourceVersion: string, signal: AbortSignal): Promise<ObservedLease> {
    await this.#fault(signal);
    this.#interleave();
    if (!this.stored || this.stored.resourceVersion !== resourceVersion) throw new ProjectorError('KubeConflict', 'update Lease: conflict', { httpStatus: 409 });
    return this.#store(record);
  }

  /** What another process would do: overwrite the record directly. */
  forceWrite(record: LeaseRecord): void {
    this.#store(record);
  }

  #store(record: LeaseRecord): ObservedLease {
    this.writes.push(structuredClone(record));
    this.stored = { record: structuredClone(record), resourceVersion: String(++this.#rv) };
    return structuredClone(this.stored);
  }

  #interleave(): void {
    const hook = this.beforeNextWrite;
    this.beforeNextWrite = undefined;
    hook?.();
  }

  async #fault(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.unreachable) throw new ProjectorError('KubeUnavailable', 'get Lease: API server unreachable (ECONNREFUSED)');
    if (this.hanging) {
      await new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }
  }
}

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

function elector(lock: FakeLeaseLock, clock: FakeClock, identity: string, timings = DEFAULT_LEADER_ELECTION_TIMINGS): LeaderElector {
  return new LeaderElector({ ...timings, lock, identity, clock, log: silentLogger(), jitter: (ms) => ms });
}

/** Starts `run` and records, as data, when each hook fired on the fake clock. */
function runRecorded(e: LeaderElector, clock: FakeClock) {
  const ac = new AbortController();
  const timeline: { startedAt?: number; lostAt?: number; workStoppedAt?: number } = {};
  const outcome = e.run(ac.signal, {
    async onStartedLeading(leading) {
      timeline.startedAt = clock.nowMs() - T0;
      await new Promise<void>((resolve) => leading.addEventListener('abort', () => resolve(), { once: true }));
      timeline.workStoppedAt = clock.nowMs() - T0;
    },
    onLostLeadership() {
      timeline.lostAt = clock.nowMs() - T0;
    },
  });
  return { ac, timeline, outcome, elector: e };
}

describe('LeaderElector', () => {
  it('creates the Lease when none exists, holding it with MicroTime stamps and zero transitions', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    assert.equal(await elector(lock, clock, 'a').tryAcquireOrRenew(new AbortController().signal), true);
    assert.deepEqual(lock.stored?.record, {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2026-11-23T10:00:00.000000Z',
      renewTime: '2026-11-23T10:00:00.000000Z',
      leaseTransitions: 0,
    });
  });

  it('renews every retry period, moving renewTime and keeping acquireTime and transitions', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const leader = runRecorded(elector(lock, clock, 'a'), clock);
    await clock.advance(6_000);
    assert.deepEqual(
      lock.writes.map((w) => [w.holderIdentity, w.acquireTime, w.renewTime, w.leaseTransitions]),
      [0, 2, 4, 6].map((s) => ['a', '2026-11-23T10:00:00.000000Z', `2026-11-23T10:00:0${s}.000000Z`, 0]),
    );
    assert.equal(leader.timeline.startedAt, 0);
    leader.ac.abort();
    assert.equal(await leader.outcome, 'stopped');
  });

  it('leaves a live lease to its holder and takes it over once it has seen no renewal for the lease duration', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    assert.equal(await elector(lock, clock, 'a').tryAcquireOrRenew(new AbortController().signal), true); // then "a" dies silently
    await clock.advance(1_000);
    const follower = runRecorded(elector(lock, clock, 'b'), clock);
    await clock.advance(14_000); // t=15 s: b first saw the record at t=1 s, so it is valid until t=16 s
    assert.equal(follower.timeline.startedAt, undefined);
    assert.equal(lock.stored?.record.holderIdentity, 'a');
    await clock.advance(2_000);
    // b polls at 1, 3, … 15, 17 s: the first attempt at or after 16 s wins.
    assert.equal(follower.timeline.startedAt, 17_000);
    assert.deepEqual(lock.stored?.record, {
      holderIdentity: 'b',
      leaseDurationSeconds: 15,
      acquireTime: '2026-11-23T10:00:17.000000Z',
      renewTime: '2026-11-23T10:00:17.000000Z',
      leaseTransitions: 1,
    });
    follower.ac.abort();
    await follower.outcome;
  });

  it('measures expiry from when it saw the record change, not from the holder clock in renewTime', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    // The holder's clock is an hour behind: by its renewTime the lease looks long expired.
    lock.forceWrite({ holderIdentity: 'skewed', leaseDurationSeconds: 15, acquireTime: '2026-11-23T09:00:00.000000Z', renewTime: '2026-11-23T09:00:00.000000Z', leaseTransitions: 3 });
    const b = elector(lock, clock, 'b');
    assert.equal(await b.tryAcquireOrRenew(new AbortController().signal), false);
    await clock.advance(14_999);
    assert.equal(await b.tryAcquireOrRenew(new AbortController().signal), false);
    await clock.advance(1);
    assert.equal(await b.tryAcquireOrRenew(new AbortController().signal), true);
    assert.equal(lock.stored?.record.leaseTransitions, 4);
  });

  it('restarts the expiry count whenever the holder renews', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const a = elector(lock, clock, 'a');
    const b = elector(lock, clock, 'b');
    await a.tryAcquireOrRenew(new AbortController().signal);
    await b.tryAcquireOrRenew(new AbortController().signal);
    await clock.advance(10_000);
    await a.tryAcquireOrRenew(new AbortController().signal);
    await clock.advance(10_000); // 20 s after b's first look, but only 10 s after a's renewal
    assert.equal(await b.tryAcquireOrRenew(new AbortController().signal), false);
    assert.equal(b.observedHolder(), 'a');
  });

  it('loses the race without error when another instance writes between its read and its write', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    lock.forceWrite({ holderIdentity: '', leaseDurationSeconds: 1, acquireTime: undefined, renewTime: undefined, leaseTransitions: 2 });
    const a = elector(lock, clock, 'a');
    lock.beforeNextWrite = () => lock.forceWrite({ holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: 'x', renewTime: 'x', leaseTransitions: 3 });
    assert.equal(await a.tryAcquireOrRenew(new AbortController().signal), false);
    assert.equal(lock.stored?.record.holderIdentity, 'b');
    assert.equal(a.isLeader(), false);
    // The next attempt reads b's fresh record and leaves it alone.
    assert.equal(await a.tryAcquireOrRenew(new AbortController().signal), false);
    assert.equal(a.observedHolder(), 'b');
  });

  it('loses the create race when two instances start on an empty namespace at once', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const a = elector(lock, clock, 'a');
    lock.beforeNextWrite = () => lock.forceWrite({ holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: 'x', renewTime: 'x', leaseTransitions: 0 });
    assert.equal(await a.tryAcquireOrRenew(new AbortController().signal), false);
    assert.equal(lock.stored?.record.holderIdentity, 'b');
    assert.equal(lock.writes.length, 1);
    assert.equal(a.isLeader(), false);
  });

  it('declares leadership lost when renewals fail for the whole renew deadline, before any follower may take over', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const leader = runRecorded(elector(lock, clock, 'a'), clock);
    await clock.advance(0);
    const follower = runRecorded(elector(lock, clock, 'b'), clock);
    await clock.advance(0);
    lock.unreachable = true; // the API server is gone for everyone; last renewal at t=0
    await clock.advance(11_999);
    assert.equal(leader.timeline.lostAt, undefined);
    await clock.advance(1);
    // Renewal round starts at t=2 s (one retry period after the last renewal) and has 10 s.
    assert.equal(leader.timeline.lostAt, 12_000);
    assert.equal(leader.timeline.workStoppedAt, 12_000);
    assert.equal(await leader.outcome, 'lost');
    lock.unreachable = false;
    await clock.advance(10_000);
    assert.ok(follower.timeline.startedAt! >= 15_000, `follower started at ${follower.timeline.startedAt}`);
    assert.ok(follower.timeline.startedAt! > leader.timeline.lostAt!);
    follower.ac.abort();
    await follower.outcome;
  });

  it('gives up a renewal round whose request hangs once the renew deadline passes', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const leader = runRecorded(elector(lock, clock, 'a'), clock);
    await clock.advance(0);
    lock.hanging = true;
    await clock.advance(12_000);
    assert.equal(leader.timeline.lostAt, 12_000);
    assert.equal(await leader.outcome, 'lost');
    assert.equal(clock.pendingTimers(), 0);
    // The stored record still names it, but it must not consider itself leader any more.
    assert.equal(lock.stored?.record.holderIdentity, 'a');
    assert.equal(leader.elector.isLeader(), false);
  });

  it('stops at its first read that shows another holder, not at the renew deadline', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const leader = runRecorded(elector(lock, clock, 'a'), clock);
    await clock.advance(1_000);
    lock.forceWrite({ holderIdentity: 'intruder', leaseDurationSeconds: 15, acquireTime: 'x', renewTime: 'x', leaseTransitions: 1 });
    const writes = lock.writes.length;
    await clock.advance(1_000);
    // The renewal at t=2 s reads the intruder's record: work stops then, and the Lease is not written again.
    assert.equal(leader.timeline.lostAt, 2_000);
    assert.equal(leader.timeline.workStoppedAt, 2_000);
    assert.equal(await leader.outcome, 'lost');
    assert.equal(lock.writes.length, writes);
    assert.equal(lock.stored?.record.holderIdentity, 'intruder');
    assert.equal(leader.elector.isLeader(), false);
    assert.equal(leader.elector.mayWrite(), false);
  });

  it('stops at once when its renewal conflicts and the read that follows shows another holder', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const leader = runRecorded(elector(lock, clock, 'a'), clock);
    await clock.advance(1_000);
    // The successor writes between the leader's read and its renewal (at t=2 s).
    lock.beforeNextWrite = () => lock.forceWrite({ holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: 'x', renewTime: 'x', leaseTransitions: 1 });
    await clock.advance(1_000);
    assert.equal(leader.timeline.lostAt, 2_000);
    assert.equal(await leader.outcome, 'lost');
    assert.equal(leader.elector.observedHolder(), 'b');
  });

  it('keeps renewing through a conflict that the following read shows was its own lease', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const leader = runRecorded(elector(lock, clock, 'a'), clock);
    await clock.advance(1_000);
    // Someone touches the Lease (same holder) between the read and the write: a conflict, not a successor.
    lock.beforeNextWrite = () => lock.forceWrite({ ...lock.stored!.record });
    await clock.advance(5_000);
    assert.equal(leader.timeline.lostAt, undefined);
    assert.equal(lock.stored?.record.holderIdentity, 'a');
    leader.ac.abort();
    assert.equal(await leader.outcome, 'stopped');
  });

  it('allows writes only within the renew deadline of its last confirmed renewal (a paused leader writes nothing on resume)', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const a = elector(lock, clock, 'a');
    assert.equal(a.mayWrite(), false);
    assert.equal(await a.tryAcquireOrRenew(new AbortController().signal), true);
    assert.equal(a.mayWrite(), true);
    // No renewal for a whole renew deadline (the process was stopped): the record still names it,
    // but a successor may be about to take over, so writes wait for the next confirmed renewal.
    await clock.advance(9_999);
    assert.equal(a.mayWrite(), true);
    await clock.advance(1);
    assert.equal(a.isLeader(), true);
    assert.equal(a.mayWrite(), false);
    assert.equal(await a.tryAcquireOrRenew(new AbortController().signal), true);
    assert.equal(a.mayWrite(), true);
  });

  it('keeps leading through failures shorter than the renew deadline', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const leader = runRecorded(elector(lock, clock, 'a'), clock);
    await clock.advance(0);
    lock.unreachable = true;
    await clock.advance(9_000);
    lock.unreachable = false;
    await clock.advance(30_000);
    assert.equal(leader.timeline.lostAt, undefined);
    assert.equal(lock.stored?.record.holderIdentity, 'a');
    leader.ac.abort();
    assert.equal(await leader.outcome, 'stopped');
  });

  it('releases the lease on shutdown after the work has stopped, and a follower takes it on its next attempt', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const leader = runRecorded(elector(lock, clock, 'a'), clock);
    await clock.advance(0);
    const follower = runRecorded(elector(lock, clock, 'b'), clock);
    await clock.advance(5_000);
    leader.ac.abort();
    assert.equal(await leader.outcome, 'stopped');
    assert.equal(leader.timeline.workStoppedAt, 5_000);
    assert.equal(leader.timeline.lostAt, undefined);
    assert.deepEqual(lock.stored?.record, {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: '2026-11-23T10:00:05.000000Z',
      renewTime: '2026-11-23T10:00:05.000000Z',
      leaseTransitions: 0,
    });
    await clock.advance(2_000);
    assert.equal(follower.timeline.startedAt, 6_000); // b polls at 0, 2, 4, 6 s
    assert.equal(lock.stored?.record.holderIdentity, 'b');
    assert.equal(lock.stored?.record.leaseTransitions, 1);
    follower.ac.abort();
    await follower.outcome;
  });

  it('still releases the lease when a renewal cut short by the shutdown reached the API server (conflict on release)', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const leader = runRecorded(elector(lock, clock, 'a'), clock);
    await clock.advance(5_000);
    // The renewal the shutdown interrupted was stored anyway: the leader's view is one version behind.
    lock.forceWrite({ ...lock.stored!.record, renewTime: '2026-11-23T10:00:05.100000Z' });
    leader.ac.abort();
    assert.equal(await leader.outcome, 'stopped');
    assert.equal(lock.stored?.record.holderIdentity, '', 'released after re-reading the Lease');
    assert.equal(lock.stored?.record.leaseDurationSeconds, 1);
  });

  it('does not release a lease it never acquired', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    lock.forceWrite({ holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: 'x', renewTime: 'x', leaseTransitions: 0 });
    const follower = runRecorded(elector(lock, clock, 'b'), clock);
    await clock.advance(4_000);
    follower.ac.abort();
    assert.equal(await follower.outcome, 'stopped');
    assert.equal(follower.timeline.startedAt, undefined);
    assert.equal(lock.stored?.record.holderIdentity, 'a');
    assert.equal(lock.writes.length, 1);
  });

  it('releases the lease and rethrows when the leader work fails', async () => {
    const clock = new FakeClock(T0);
    const lock = new FakeLeaseLock();
    const e = elector(lock, clock, 'a');
    const failure = new Error('worker bug');
    const outcome = e.run(new AbortController().signal, { onStartedLeading: async () => Promise.reject(failure), onLostLeadership: () => assert.fail('not lost') });
    const rejected = assert.rejects(outcome, failure);
    await clock.advance(0);
    await rejected;
    assert.equal(lock.stored?.record.holderIdentity, '');
  });
});

describe('leader election settings', () => {
  it('formats MicroTime with six fractional digits', () => {
    assert.equal(formatMicroTime(new Date(Date.UTC(2026, 10, 23, 10, 0, 0, 42))), '2026-11-23T10:00:00.042000Z');
  });

  it('names an instance by hostname and a random suffix', () => {
    assert.equal(leaderIdentity('projector-7d9f', 'b1c2'), 'projector-7d9f_b1c2');
  });

  it('accepts the client-go defaults and rejects timings that would let two leaders overlap', () => {
    checkLeaderElectionTimings(DEFAULT_LEADER_ELECTION_TIMINGS);
    checkLeaderElectionTimings({ leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 });
    assert.throws(() => checkLeaderElectionTimings({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }), /lease duration must be greater than renew deadline/);
    assert.throws(() => checkLeaderElectionTimings({ leaseDurationMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), /renew deadline must be greater/);
  });
});

// Belongs with a future test/unit/config.test.ts; kept here while that file does not exist.
describe('operator config: leader election', () => {
  it('is off by default with the client-go timings and the external-secrets namespace', () => {
    assert.deepEqual(operatorConfig({}, {}).leaderElection, {
      enabled: false,
      namespace: 'external-secrets',
      name: 'projector-controller',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    });
  });

  it('is switched on by PROJECTOR_LEADER_ELECT and placed in POD_NAMESPACE, flags winning over both', () => {
    const fromEnv = operatorConfig({}, { PROJECTOR_LEADER_ELECT: 'true', POD_NAMESPACE: 'ops' }).leaderElection;
    assert.equal(fromEnv.enabled, true);
    assert.equal(fromEnv.namespace, 'ops');
    const fromFlags = operatorConfig({ leaderElect: false, leaderElectionNamespace: 'x', leaderElectionId: 'lease-x' }, { PROJECTOR_LEADER_ELECT: 'true', POD_NAMESPACE: 'ops' }).leaderElection;
    assert.deepEqual([fromFlags.enabled, fromFlags.namespace, fromFlags.name], [false, 'x', 'lease-x']);
  });

  it('reads Go durations and refuses timings that would let two leaders overlap', () => {
    const le = operatorConfig({ leaderElectLeaseDuration: '3s', leaderElectRenewDeadline: '2s', leaderElectRetryPeriod: '500ms' }, {}).leaderElection;
    assert.deepEqual([le.leaseDurationMs, le.renewDeadlineMs, le.retryPeriodMs], [3_000, 2_000, 500]);
    assert.throws(() => operatorConfig({ leaderElectLeaseDuration: '5s' }, {}), /lease duration > renew deadline/);
    assert.throws(() => operatorConfig({ leaderElectRetryPeriod: 'soon' }, {}), /--leader-elect-retry-period must be a positive Go duration/);
    assert.throws(() => operatorConfig({}, { PROJECTOR_LEADER_ELECT: 'maybe' }), /PROJECTOR_LEADER_ELECT must be true or false/);
  });
});
