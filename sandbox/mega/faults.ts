import type { Socket } from 'node:net';
import { Transform } from 'node:stream';
import type { ActiveFault, FaultAction, FaultSpec, SandboxEndpoint, SandboxFaults } from './types';
import { SANDBOX_ENDPOINTS } from './types';

/** Where each fault kind makes sense; a spec without `endpoint` applies to all of them. */
const APPLIES_TO: Record<FaultAction['kind'], readonly SandboxEndpoint[]> = {
	error: ['cs', 'sc', 'wait', 'upload'],
	http: SANDBOX_ENDPOINTS,
	drop: SANDBOX_ENDPOINTS,
	truncate: ['download'],
	flip: ['download'],
	quota509: ['download'],
	latency: SANDBOX_ENDPOINTS,
	bandwidth: SANDBOX_ENDPOINTS,
};

const PERSISTENT = new Set<FaultAction['kind']>(['latency', 'bandwidth']);

export class FaultSpecError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FaultSpecError';
	}
}

interface Entry {
	id: string;
	spec: FaultSpec;
	endpoints: readonly SandboxEndpoint[];
	remaining?: number;
	hits: number;
}

export interface FaultRequestInfo {
	endpoint: SandboxEndpoint;
	commands?: string[];
	email?: string;
}

/** What applies to one request: at most one one-shot fault, plus latency and a bandwidth cap. */
export interface FaultDecision {
	fault?: FaultSpec;
	latencyMs: number;
	bytesPerSecond?: number;
}

export class FaultRegistry implements SandboxFaults {
	private readonly entries: Entry[] = [];
	private nextId = 1;
	fired = 0;

	add(spec: FaultSpec): string {
		validate(spec);
		const wanted = spec.endpoint === undefined ? undefined : Array.isArray(spec.endpoint) ? spec.endpoint : [spec.endpoint];
		const endpoints = (wanted ?? APPLIES_TO[spec.kind]).filter((e) => APPLIES_TO[spec.kind].includes(e));
		if (endpoints.length === 0) throw new FaultSpecError(`fault kind '${spec.kind}' does not apply to endpoint ${String(spec.endpoint)}`);
		const persistent = PERSISTENT.has(spec.kind);
		const remaining = spec.count ?? (spec.probability === undefined && !persistent ? 1 : undefined);
		const entry: Entry = { id: `f${this.nextId++}`, spec: { ...spec }, endpoints, remaining, hits: 0 };
		this.entries.push(entry);
		return entry.id;
	}

	remove(id: string): void {
		const index = this.entries.findIndex((e) => e.id === id);
		if (index >= 0) this.entries.splice(index, 1);
	}

	clear(): void {
		this.entries.length = 0;
	}

	list(): ActiveFault[] {
		return this.entries.map((e) => ({ ...e.spec, id: e.id, hits: e.hits, remaining: e.remaining }));
	}

	decide(request: FaultRequestInfo): FaultDecision {
		const decision: FaultDecision = { latencyMs: 0 };
		for (const entry of [...this.entries]) {
			const spec = entry.spec;
			if (!entry.endpoints.includes(request.endpoint)) continue;
			if (spec.command !== undefined && !(request.commands ?? []).includes(spec.command)) continue;
			if (spec.email !== undefined && spec.email.toLowerCase() !== request.email?.toLowerCase()) continue;
			if (spec.kind === 'latency') {
				decision.latencyMs += spec.ms;
				entry.hits++;
				continue;
			}
			if (spec.kind === 'bandwidth') {
				decision.bytesPerSecond = Math.min(decision.bytesPerSecond ?? Infinity, spec.bytesPerSecond);
				entry.hits++;
				continue;
			}
			if (decision.fault) continue;
			if (spec.probability !== undefined && Math.random() >= spec.probability) continue;
			decision.fault = spec;
			entry.hits++;
			this.fired++;
			if (entry.remaining !== undefined) {
				entry.remaining--;
				if (entry.remaining <= 0) this.remove(entry.id);
			}
		}
		return decision;
	}
}

function validate(spec: FaultSpec): void {
	if (!spec || typeof spec !== 'object' || !(spec.kind in APPLIES_TO)) throw new FaultSpecError('fault needs a known `kind`');
	if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) throw new FaultSpecError('`count` must be a positive integer');
	if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) throw new FaultSpecError('`probability` must be within 0..1');
	if (spec.endpoint !== undefined) {
		const list = Array.isArray(spec.endpoint) ? spec.endpoint : [spec.endpoint];
		for (const e of list) if (!SANDBOX_ENDPOINTS.includes(e)) throw new FaultSpecError(`unknown endpoint '${String(e)}'`);
	}
	switch (spec.kind) {
		case 'error':
			if (!Number.isInteger(spec.code) || spec.code >= 0) throw new FaultSpecError('`code` must be a negative integer');
			break;
		case 'http':
			if (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599) throw new FaultSpecError('`status` must be an HTTP status');
			break;
		case 'quota509':
			if (!(spec.timeLeft >= 0)) throw new FaultSpecError('`timeLeft` must be >= 0');
			break;
		case 'latency':
			if (!(spec.ms >= 0)) throw new FaultSpecError('`ms` must be >= 0');
			break;
		case 'bandwidth':
			if (!(spec.bytesPerSecond > 0)) throw new FaultSpecError('`bytesPerSecond` must be > 0');
			break;
		default:
			break;
	}
}

/**
 * Token bucket per connection (the cap is per connection, as a real slow link's would be): it refills on elapsed
 * monotonic time up to a small burst, so a timer that fires late is made up for on the next send instead of losing
 * throughput, and bytes sent over any interval never exceed `rate × interval + burst`.
 */
interface Bucket {
	tokens: number;
	refilledAt: number;
}
const buckets = new WeakMap<Socket, Bucket>();

/** How much sending time a bucket may hold: absorbs timer jitter of a few ms without letting idle time pile up. */
const BURST_SECONDS = 0.01;
const MIN_BURST_BYTES = 16 * 1024;
const MAX_BURST_BYTES = 1024 * 1024;

/** The burst allowance of a `bytesPerSecond` cap (10 ms of sending, within 16 KiB..1 MiB). */
export function burstBytes(bytesPerSecond: number): number {
	return Math.round(Math.min(MAX_BURST_BYTES, Math.max(MIN_BURST_BYTES, bytesPerSecond * BURST_SECONDS)));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A pass-through that paces bytes to `bytesPerSecond` on the given connection. */
export function throttle(socket: Socket, bytesPerSecond: number): Transform {
	const burst = burstBytes(bytesPerSecond);
	let bucket = buckets.get(socket);
	if (!bucket) {
		bucket = { tokens: burst, refilledAt: performance.now() };
		buckets.set(socket, bucket);
	}
	const shared = bucket;
	const refill = (): void => {
		const now = performance.now();
		shared.tokens = Math.min(burst, shared.tokens + ((now - shared.refilledAt) / 1000) * bytesPerSecond);
		shared.refilledAt = now;
	};
	// Wait for half a burst at a time: the other half is the room that makes up for a late timer.
	const step = Math.max(1, Math.floor(burst / 2));
	return new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			const push = async (): Promise<void> => {
				let at = 0;
				while (at < chunk.length) {
					refill();
					const want = Math.min(step, chunk.length - at);
					if (shared.tokens < want) {
						await sleep(((want - shared.tokens) / bytesPerSecond) * 1000);
						refill();
						if (shared.tokens < want) continue;
					}
					// Send everything the bucket allows (more than `want` after a late timer).
					const take = Math.min(chunk.length - at, Math.floor(shared.tokens));
					shared.tokens -= take;
					this.push(chunk.subarray(at, at + take));
					at += take;
				}
			};
			push().then(() => callback(), callback);
		},
	});
}

/** Resolves on the first of `events` (listeners removed), or after `timeoutMs`. */
function firstEvent(emitter: Socket, events: string[], timeoutMs: number): Promise<void> {
	return new Promise((resolve) => {
		const done = (): void => {
			clearTimeout(timer);
			for (const event of events) emitter.off(event, done);
			resolve();
		};
		const timer = setTimeout(done, timeoutMs);
		for (const event of events) emitter.once(event, done);
	});
}

/**
 * The `drop` fault's cut: once what was written to the response (headers and the kept bytes) has left for the
 * kernel, the TCP connection itself is destroyed, so the client sees a premature close / reset at once, also on a
 * keep-alive connection. Takes the socket captured when the request arrived: `res.socket` is detached as soon as a
 * response ends, which would turn the drop into a silent, half-finished body.
 */
export async function destroyAfterFlush(socket: Socket, flushTimeoutMs = 2_000): Promise<void> {
	// ServerResponse corks the socket until the next tick; let that write go out first.
	await new Promise((resolve) => setImmediate(resolve));
	if (!socket.destroyed && socket.writableLength > 0) await firstEvent(socket, ['drain', 'close', 'error'], flushTimeoutMs);
	socket.destroy();
}
