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
	fault?: FaultAction;
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

/** Token bucket shared by everything on one socket: the cap is per connection, as a real slow link would be. */
interface Bucket {
	nextFree: number;
}
const buckets = new WeakMap<Socket, Bucket>();

/** A pass-through that paces bytes to `bytesPerSecond` on the given connection. */
export function throttle(socket: Socket, bytesPerSecond: number): Transform {
	let bucket = buckets.get(socket);
	if (!bucket) {
		bucket = { nextFree: Date.now() };
		buckets.set(socket, bucket);
	}
	const shared = bucket;
	const slice = Math.max(1024, Math.min(64 * 1024, Math.floor(bytesPerSecond / 20)));
	return new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			const push = async (): Promise<void> => {
				for (let i = 0; i < chunk.length; i += slice) {
					const piece = chunk.subarray(i, i + slice);
					const now = Date.now();
					const start = Math.max(now, shared.nextFree);
					shared.nextFree = start + (piece.length / bytesPerSecond) * 1000;
					const wait = shared.nextFree - now;
					if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
					this.push(piece);
				}
			};
			push().then(() => callback(), callback);
		},
	});
}
