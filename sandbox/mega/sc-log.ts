import { randomBytes } from 'node:crypto';
import { encodeSeqTag } from './dialect';
import { decodeSn, encodeSn } from './util';

export type ActionPacket = Record<string, unknown>;

interface AccountLog {
	entries: Array<{ seq: bigint; packet: ActionPacket }>;
	/** Highest sequence number dropped from the log: an `sn` below it can no longer be served (-6). */
	floor: bigint;
	waiters: Set<() => void>;
	/** The account's last sequence tag number (`v=3` only); every account starts at a non-empty tag. */
	seqTag: bigint;
}

// Tags start at a few characters, as MEGA's do, so that a tag is never mistaken for a small number.
const SEQ_TAG_BASE = 62n ** 5n;

export type FeedResult = { packets: ActionPacket[]; sn: string } | 'too-old';

/**
 * The server-to-client change feed. Sequence numbers come from one counter shared by all accounts (an `sn` is an
 * opaque 8-byte state id); each account keeps its own retained packets. An `sn` older than what is retained, or one
 * this server never issued, is answered with -6 so the client reloads with `f`.
 */
export class ScFeed {
	private seq: bigint;
	private readonly logs = new Map<string, AccountLog>();

	constructor(private readonly limit: number) {
		// Start from a random-looking base so sn values are not small integers.
		this.seq = (BigInt(randomBytes(6).readUIntBE(0, 6)) << 8n) + 1n;
	}

	private log(userHandle: string): AccountLog {
		let log = this.logs.get(userHandle);
		if (!log) {
			log = { entries: [], floor: 0n, waiters: new Set(), seqTag: SEQ_TAG_BASE };
			this.logs.set(userHandle, log);
		}
		return log;
	}

	/** Registers a new account: sn values from before its creation are not valid for it. */
	open(userHandle: string): void {
		this.log(userHandle).floor = this.seq;
	}

	current(): string {
		return encodeSn(this.seq);
	}

	/** The account's current sequence tag (the `st` a `v=3` `f` reply carries). */
	currentSeqTag(userHandle: string): string {
		return encodeSeqTag(this.log(userHandle).seqTag);
	}

	/** A new sequence tag for one `v=3` command that emits packets; tags grow by length, then lexicographically. */
	nextSeqTag(userHandle: string): string {
		const log = this.log(userHandle);
		log.seqTag += 1n;
		return encodeSeqTag(log.seqTag);
	}

	append(userHandle: string, packets: ActionPacket[]): void {
		if (packets.length === 0) return;
		const log = this.log(userHandle);
		for (const packet of packets) {
			this.seq += 1n;
			log.entries.push({ seq: this.seq, packet });
		}
		if (log.entries.length > this.limit) this.drop(log, log.entries.length - this.limit);
		const waiters = [...log.waiters];
		log.waiters.clear();
		for (const wake of waiters) wake();
	}

	private drop(log: AccountLog, count: number): void {
		const dropped = log.entries.splice(0, count);
		if (dropped.length > 0) log.floor = dropped[dropped.length - 1].seq;
	}

	trim(userHandle: string, keep = 0): void {
		const log = this.log(userHandle);
		if (log.entries.length > keep) this.drop(log, log.entries.length - keep);
		if (keep === 0) log.floor = this.seq;
	}

	since(userHandle: string, snText: unknown): FeedResult {
		const sn = decodeSn(snText);
		const log = this.log(userHandle);
		if (sn === undefined || sn > this.seq || sn < log.floor) return 'too-old';
		const packets = log.entries.filter((entry) => entry.seq > sn).map((entry) => entry.packet);
		return { packets, sn: encodeSn(this.seq) };
	}

	hasChangesSince(userHandle: string, sn: bigint): boolean {
		const entries = this.log(userHandle).entries;
		return entries.length > 0 && entries[entries.length - 1].seq > sn;
	}

	/** Resolves when the account's feed grows past `sn`, or after `timeoutMs`, or when `signal` aborts. */
	waitForChange(userHandle: string, sn: bigint, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
		if (this.hasChangesSince(userHandle, sn)) return Promise.resolve(true);
		const log = this.log(userHandle);
		return new Promise((resolve) => {
			const finish = (changed: boolean): void => {
				clearTimeout(timer);
				log.waiters.delete(wake);
				signal.removeEventListener('abort', onAbort);
				resolve(changed);
			};
			const wake = (): void => finish(true);
			const onAbort = (): void => finish(false);
			const timer = setTimeout(() => finish(false), timeoutMs);
			log.waiters.add(wake);
			signal.addEventListener('abort', onAbort);
		});
	}

	retained(userHandle: string): number {
		return this.log(userHandle).entries.length;
	}
}
