/**
 * Fault soak: a seeded random sequence of operations (uploads of 0 B to ~20 MiB, downloads, folders, renames, moves,
 * trash/restore, links, deletes) under random sandbox faults (every kind the sandbox offers, and none), checked after
 * every round against a model, the sandbox's own store and its count of applied commands, and now and then against a
 * freshly logged-in client:
 * - an upload that reported success exists exactly once with the right bytes; a failed one leaves no node;
 * - a download delivers the exact bytes or fails with a typed error;
 * - no write is applied twice, and a write reported as failed was not applied;
 * - the long-lived client's tree agrees with a fresh client's;
 * - no password, session id, master key or link key appears in any error.
 *
 * `npm test` runs a fixed seed. Long runs: `SOAK_SEED=7 SOAK_ROUNDS=2000 npx jest test/integration/soak`. A failure
 * prints the seed and the round, which replays it.
 */
import type { Readable } from 'node:stream';

import { MegaClient, forgetLiveTrees } from '../../../core/mega/client';
import { base64urlEncode } from '../../../core/mega/crypto';
import { MegaError } from '../../../core/mega/errors';
import { clearSessionCache } from '../../../core/mega/session';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import type { FaultSpec, SandboxListEntry } from '../../../sandbox/mega/types';
import { SeededRandom, contentFor, sha256 } from './seeded';

const SEED = Number(process.env.SOAK_SEED ?? 20_261_206);
const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 200);
/** Every this many rounds (and at the end) a freshly logged-in client must see the same tree. */
const FRESH_EVERY = 15;
const KIB = 1024;
const MIB = 1024 * KIB;
const MAX_HELD_BYTES = 160 * MIB;
const EMAIL = 'soak@soak.test';
const PASSWORD = 'soak password 9f2c';
const RETRY = { baseDelayMs: 5, maxDelayMs: 40, maxRetries: 6, maxTotalMs: 20_000 };

type OpKind = 'upload' | 'download' | 'mkdir' | 'rename' | 'move' | 'trash' | 'restore' | 'delete' | 'link' | 'unlink';

interface ModelNode {
	handle: string;
	type: 'file' | 'folder';
	name: string;
	parent: string;
	size: number;
	hash?: string;
	/** The folder it was trashed from. */
	rr?: string;
	linked: boolean;
	/** A folder shared for export (`s2` to EXP) whose link may not exist yet: a folder link is two requests. */
	exported?: boolean;
}

interface Figures {
	seed: number;
	rounds: number;
	ops: Record<string, number>;
	failedOps: Record<string, number>;
	faultsFired: number;
	bytesUploaded: number;
	bytesDownloaded: number;
	violations: string[];
}

/** Commands that change the account: each must be applied exactly as often as the operation sends it. */
const WRITE_COMMANDS = ['p', 'a', 'm', 'd', 'l', 's2', 'dr'];

/** The writes an operation sends (their `applied` count in the sandbox moves by exactly this on success, 0 on failure). */
interface Expectation {
	applied: Record<string, number>;
	/**
	 * What a failed operation may have applied, at most (default nothing). A folder link is `s2` then `l`, two requests
	 * as MEGA's SDK sends them: when `l` fails the export share stays (no link exists), and the next attempt sends `l` only.
	 */
	mayRemainOnFailure?: Record<string, number>;
}

let sandbox: MegaSandbox;

beforeAll(async () => {
	sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 1_000 });
	await sandbox.createAccount({ email: EMAIL, password: PASSWORD, version: 2 });
});

afterAll(async () => {
	await sandbox.close();
});

function uploadSize(rng: SeededRandom): number {
	return rng.weighted<() => number>([
		[() => 0, 4],
		[() => rng.int(1, 64 * KIB), 46],
		[() => rng.int(64 * KIB, 2 * MIB), 36],
		[() => rng.int(2 * MIB, 20 * MIB), 14],
	])();
}

/** One fault set per round: every kind the sandbox offers, aimed at the endpoint or command the operation uses. */
function faultFor(rng: SeededRandom, command: string): { label: string; specs: FaultSpec[] } {
	const count = rng.int(1, 3);
	const choices: Array<readonly [() => { label: string; specs: FaultSpec[] }, number]> = [
		[() => ({ label: 'none', specs: [] }), 10],
		[() => ({ label: `cs EAGAIN x${count}`, specs: [{ kind: 'error', code: -3, endpoint: 'cs', command, count }] }), 5],
		[() => ({ label: 'cs ERATELIMIT', specs: [{ kind: 'error', code: -4, endpoint: 'cs', command, count: 1 }] }), 3],
		[() => ({ label: 'cs ETEMPUNAVAIL', specs: [{ kind: 'error', code: -18, endpoint: 'cs', command, count: 1 }] }), 2],
		[() => ({ label: `cs per-command EAGAIN on ${command}`, specs: [{ kind: 'error', code: -3, scope: 'command', endpoint: 'cs', command, count: 1 }] }), 4],
		[() => ({ label: 'cs ESID', specs: [{ kind: 'error', code: -15, endpoint: 'cs', command, count: 1 }] }), 3],
		[() => ({ label: 'cs HTTP 500', specs: [{ kind: 'http', status: 500, endpoint: 'cs', command, count }] }), 3],
		[() => ({ label: 'cs HTTP 503', specs: [{ kind: 'http', status: 503, endpoint: 'cs', count: 1 }] }), 2],
		[() => ({ label: 'cs drop (applied, reply lost)', specs: [{ kind: 'drop', endpoint: 'cs', command, count: 1 }] }), 5],
		[() => ({ label: 'cs drop + session ended', specs: [{ kind: 'drop', endSession: true, endpoint: 'cs', command, count: 1 }] }), 6],
		[
			() => ({
				label: 'cs HTTP 500 then ESID',
				specs: [
					{ kind: 'http', status: 500, endpoint: 'cs', command, count: 1 },
					{ kind: 'error', code: -15, endpoint: 'cs', command, count: 1 },
				],
			}),
			3,
		],
		[() => ({ label: 'sc EAGAIN', specs: [{ kind: 'error', code: -3, endpoint: 'sc', count }] }), 2],
		[() => ({ label: 'sc HTTP 500', specs: [{ kind: 'http', status: 500, endpoint: 'sc', count: 1 }] }), 2],
		[() => ({ label: 'sc drop', specs: [{ kind: 'drop', endpoint: 'sc', count: 1 }] }), 2],
		[() => ({ label: `upload EAGAIN x${count}`, specs: [{ kind: 'error', code: -3, endpoint: 'upload', count }] }), 3],
		[() => ({ label: 'upload -4 (restart)', specs: [{ kind: 'error', code: -4, endpoint: 'upload', count: 1 }] }), 2],
		[() => ({ label: 'upload HTTP 500', specs: [{ kind: 'http', status: 500, endpoint: 'upload', count }] }), 2],
		[() => ({ label: 'upload drop', specs: [{ kind: 'drop', endpoint: 'upload', count: 1 }] }), 3],
		[() => ({ label: 'download truncate', specs: [{ kind: 'truncate', endpoint: 'download', count }] }), 3],
		[() => ({ label: 'download truncate (always)', specs: [{ kind: 'truncate', endpoint: 'download', count: 100 }] }), 1],
		[() => ({ label: 'download flip', specs: [{ kind: 'flip', endpoint: 'download', count: 1 }] }), 3],
		[() => ({ label: 'download quota 509', specs: [{ kind: 'quota509', timeLeft: rng.int(1, 900), endpoint: 'download', count: 1 }] }), 2],
		[() => ({ label: 'download drop', specs: [{ kind: 'drop', endpoint: 'download', count }] }), 2],
		[() => ({ label: 'download HTTP 503', specs: [{ kind: 'http', status: 503, endpoint: 'download', count: 1 }] }), 2],
		[() => ({ label: 'latency', specs: [{ kind: 'latency', ms: rng.int(1, 25) }] }), 2],
		// Faults the operation cannot ride out: it must fail, typed, with nothing applied.
		[() => ({ label: `cs EINTERNAL on ${command}`, specs: [{ kind: 'error', code: -1, endpoint: 'cs', command, count: 1 }] }), 2],
		[() => ({ label: `cs EACCESS on ${command}`, specs: [{ kind: 'error', code: -11, endpoint: 'cs', command, count: 1 }] }), 1],
		[() => ({ label: `cs EAGAIN on ${command} until retries run out`, specs: [{ kind: 'error', code: -3, endpoint: 'cs', command, count: 50 }] }), 1],
		[() => ({ label: 'upload URL dead (403) on every try', specs: [{ kind: 'http', status: 403, endpoint: 'upload', count: 50 }] }), 1],
		[() => ({ label: 'bandwidth 24 MiB/s', specs: [{ kind: 'bandwidth', bytesPerSecond: 24 * MIB, endpoint: ['upload', 'download'] }] }), 2],
	];
	return rng.weighted(choices)();
}

async function drain(stream: Readable): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

class Soak {
	readonly rng = new SeededRandom(SEED);
	readonly model = new Map<string, ModelNode>();
	readonly figures: Figures = { seed: SEED, rounds: 0, ops: {}, failedOps: {}, faultsFired: 0, bytesUploaded: 0, bytesDownloaded: 0, violations: [] };
	readonly secrets = new Set<string>([PASSWORD]);
	round = 0;
	private faultLabel = 'none';

	constructor(
		readonly client: MegaClient,
		readonly rootHandle: string,
		readonly rubbishHandle: string,
	) {
		this.rememberSecrets();
	}

	rememberSecrets(): void {
		const masterKey = this.client.session.data.masterKey;
		this.secrets.add(base64urlEncode(masterKey));
		this.secrets.add(masterKey.toString('hex'));
		this.secrets.add(masterKey.toString('base64'));
		if (this.client.api.sid) this.secrets.add(this.client.api.sid);
	}

	violation(detail: string): void {
		this.figures.violations.push(`SOAK_SEED=${SEED} round ${this.round} (fault: ${this.faultLabel}): ${detail}`);
	}

	private applied(): Record<string, number> {
		return { ...sandbox.counters().applied };
	}

	private inRubbish(node: ModelNode): boolean {
		let current: ModelNode | undefined = node;
		for (let guard = 0; current && guard < 10_000; guard++) {
			if (current.parent === this.rubbishHandle) return true;
			current = this.model.get(current.parent);
		}
		return false;
	}

	private isUnder(node: ModelNode, ancestor: string): boolean {
		let current: ModelNode | undefined = node;
		for (let guard = 0; current && guard < 10_000; guard++) {
			if (current.handle === ancestor) return true;
			current = this.model.get(current.parent);
		}
		return false;
	}

	private nodes(filter: (node: ModelNode) => boolean): ModelNode[] {
		return [...this.model.values()].filter(filter).sort((a, b) => (a.handle < b.handle ? -1 : 1));
	}

	private liveFolders(): string[] {
		return [this.rootHandle, ...this.nodes((node) => node.type === 'folder' && !this.inRubbish(node)).map((node) => node.handle)];
	}

	private removeSubtree(handle: string): void {
		for (const node of this.nodes((candidate) => this.isUnder(candidate, handle))) this.model.delete(node.handle);
	}

	/** Checks a thrown value: typed, and free of secrets. */
	private checkError(op: OpKind, error: unknown): void {
		if (!(error instanceof MegaError)) {
			this.violation(`${op} threw an untyped error: ${String(error)}`);
			return;
		}
		let text = `${error.message}\n${error.hint ?? ''}\n${error.stack ?? ''}`;
		try {
			text += `\n${JSON.stringify(error)}`;
		} catch {
			// a cyclic `original` is not a leak
		}
		for (const secret of this.secrets) {
			if (secret.length >= 6 && text.includes(secret)) this.violation(`${op} error contains a secret (${secret.length} chars): ${error.message}`);
		}
	}

	/** Checks what MEGA applied against the expectation; returns the counts by command. */
	private checkApplied(op: OpKind, before: Record<string, number>, expectation: Expectation, succeeded: boolean): Record<string, number> {
		const after = this.applied();
		const deltas: Record<string, number> = {};
		for (const name of WRITE_COMMANDS) {
			const delta = (after[name] ?? 0) - (before[name] ?? 0);
			deltas[name] = delta;
			if (succeeded) {
				const want = expectation.applied[name] ?? 0;
				if (delta !== want) this.violation(`${op} succeeded but MEGA applied '${name}' ${delta} times (expected ${want})`);
			} else {
				const most = expectation.mayRemainOnFailure?.[name] ?? 0;
				if (delta < 0 || delta > most) this.violation(`${op} failed but MEGA applied '${name}' ${delta} times (expected ${most === 0 ? 0 : `0 to ${most}`})`);
			}
		}
		return deltas;
	}

	/** One round: an operation, a fault, and the checks. */
	async step(): Promise<void> {
		const op = this.rng.weighted<OpKind>([
			['upload', 26],
			['download', 18],
			['mkdir', 8],
			['rename', 10],
			['move', 8],
			['trash', 8],
			['restore', 6],
			['delete', 6],
			['link', 6],
			['unlink', 4],
		]);
		// Keep what the sandbox holds in memory bounded on long runs: past the limit, delete instead.
		const held = [...this.model.values()].reduce((sum, node) => sum + node.size, 0);
		const plan = (held > MAX_HELD_BYTES ? this.plan('delete') : this.plan(op)) ?? this.plan('upload');
		if (!plan) return;
		const fault = faultFor(this.rng, plan.command);
		this.faultLabel = fault.label;
		for (const spec of fault.specs) sandbox.faults.add(spec);
		const firedBefore = sandbox.counters().faults;
		const before = this.applied();
		let error: unknown;
		let result: unknown;
		try {
			result = await plan.run();
		} catch (thrown) {
			error = thrown;
		}
		sandbox.faults.clear();
		this.figures.faultsFired += sandbox.counters().faults - firedBefore;
		this.figures.ops[plan.op] = (this.figures.ops[plan.op] ?? 0) + 1;
		this.rememberSecrets();
		if (error !== undefined) {
			this.figures.failedOps[plan.op] = (this.figures.failedOps[plan.op] ?? 0) + 1;
			this.checkError(plan.op, error);
			// A change whose outcome MEGA could not tell is allowed to have happened; the model follows the store.
			if (error instanceof MegaError && (error.code === 'EUNKNOWNOUTCOME' || error.maybeApplied)) {
				this.violation(`${plan.op}: outcome unknown (${error.message})`);
				return;
			}
			const applied = this.checkApplied(plan.op, before, plan.expect, false);
			await plan.failed?.(error, applied);
			return;
		}
		this.checkApplied(plan.op, before, plan.expect, true);
		await plan.succeeded(result);
	}

	private plan(op: OpKind):
		| {
				op: OpKind;
				command: string;
				expect: Expectation;
				run: () => Promise<unknown>;
				succeeded: (result: unknown) => Promise<void> | void;
				failed?: (error: unknown, applied: Record<string, number>) => Promise<void> | void;
		  }
		| undefined {
		const rng = this.rng;
		const round = this.round;
		const anyNode = (filter: (node: ModelNode) => boolean): ModelNode | undefined => {
			const candidates = this.nodes(filter);
			return candidates.length > 0 ? rng.pick(candidates) : undefined;
		};
		switch (op) {
			case 'upload': {
				const parent = rng.pick(this.liveFolders());
				const size = uploadSize(rng);
				const name = `f${round}.bin`;
				return {
					op,
					command: rng.pick(['p', 'u']),
					expect: { applied: { p: 1 } },
					run: async () => {
						const data = contentFor(SEED, round, size);
						const uploaded = await this.client.upload({ parent: { handle: parent }, name, source: data });
						return { handle: uploaded.handle, hash: sha256(data) };
					},
					succeeded: async (result) => {
						const { handle, hash } = result as { handle: string; hash: string };
						this.figures.bytesUploaded += size;
						const stored = (await sandbox.client(EMAIL).list()).filter((entry) => entry.name === name);
						if (stored.length !== 1 || stored[0].handle !== handle) this.violation(`upload of ${name} reported ${handle}; MEGA holds ${stored.map((s) => s.handle).join(',') || 'nothing'}`);
						else if (sha256(await sandbox.client(EMAIL).download(handle)) !== hash) this.violation(`upload of ${name}: the stored bytes differ`);
						this.model.set(handle, { handle, type: 'file', name, parent, size, hash, linked: false });
					},
					failed: async () => {
						const stored = (await sandbox.client(EMAIL).list()).filter((entry) => entry.name === name);
						if (stored.length > 0) this.violation(`failed upload of ${name} left ${stored.length} node(s)`);
					},
				};
			}
			case 'download': {
				const file = anyNode((node) => node.type === 'file');
				if (!file) return undefined;
				return {
					op,
					command: 'g',
					expect: { applied: {} },
					run: async () => drain(await this.client.download({ handle: file.handle })),
					succeeded: (result) => {
						const data = result as Buffer;
						this.figures.bytesDownloaded += data.length;
						if (data.length !== file.size || sha256(data) !== file.hash) this.violation(`download of ${file.name} delivered ${data.length} wrong bytes as success`);
					},
				};
			}
			case 'mkdir': {
				const parent = rng.pick(this.liveFolders());
				const name = `d${round}`;
				return {
					op,
					command: 'p',
					expect: { applied: { p: 1 } },
					run: () => this.client.mkdir(name, { parent: { handle: parent }, alwaysCreate: true }),
					succeeded: (result) => {
						const { handle } = result as { handle: string };
						this.model.set(handle, { handle, type: 'folder', name, parent, size: 0, linked: false });
					},
				};
			}
			case 'rename': {
				const node = anyNode(() => true);
				if (!node) return undefined;
				const name = `r${round}-${node.type === 'file' ? 'f' : 'd'}`;
				return {
					op,
					command: 'a',
					expect: { applied: { a: 1 } },
					run: () => this.client.rename({ handle: node.handle }, name),
					succeeded: (result) => {
						if ((result as { name: string }).name !== name) this.violation(`rename returned ${(result as { name: string }).name}`);
						node.name = name;
					},
				};
			}
			case 'move': {
				const node = anyNode((candidate) => !this.inRubbish(candidate));
				if (!node) return undefined;
				const targets = this.liveFolders().filter((folder) => folder !== node.parent && !this.isUnder(this.model.get(folder) ?? ({ parent: '' } as ModelNode), node.handle));
				if (targets.length === 0) return undefined;
				const target = rng.pick(targets);
				return {
					op,
					command: 'm',
					expect: { applied: { m: 1 } },
					run: () => this.client.move({ handle: node.handle }, { handle: target }),
					succeeded: () => {
						node.parent = target;
					},
				};
			}
			case 'trash': {
				const node = anyNode((candidate) => !this.inRubbish(candidate));
				if (!node) return undefined;
				return {
					op,
					command: rng.pick(['a', 'm']),
					expect: { applied: { a: 1, m: 1 } },
					run: () => this.client.trash({ handle: node.handle }),
					succeeded: () => {
						node.rr = node.parent;
						node.parent = this.rubbishHandle;
					},
				};
			}
			case 'restore': {
				const node = anyNode((candidate) => candidate.parent === this.rubbishHandle && candidate.rr !== undefined && this.liveFolders().includes(candidate.rr));
				if (!node) return undefined;
				return {
					op,
					command: rng.pick(['a', 'm']),
					expect: { applied: { a: 1, m: 1 } },
					run: () => this.client.restore({ handle: node.handle }),
					succeeded: () => {
						node.parent = node.rr as string;
						node.rr = undefined;
					},
				};
			}
			case 'delete': {
				const node = anyNode(() => true);
				if (!node) return undefined;
				return {
					op,
					command: 'd',
					expect: { applied: { d: 1 } },
					run: () => this.client.delete({ handle: node.handle }),
					succeeded: () => this.removeSubtree(node.handle),
				};
			}
			case 'link': {
				const node = anyNode((candidate) => !candidate.linked && !this.inRubbish(candidate));
				if (!node) return undefined;
				const shares = node.type === 'folder' && !node.exported;
				return {
					op,
					command: shares ? rng.pick(['s2', 'l']) : 'l',
					expect: { applied: shares ? { s2: 1, l: 1 } : { l: 1 }, mayRemainOnFailure: shares ? { s2: 1 } : undefined },
					run: () => this.client.createLink({ handle: node.handle }),
					succeeded: (result) => {
						const key = (result as { url: string }).url.split('#')[1];
						if (key) this.secrets.add(key);
						node.linked = true;
						if (node.type === 'folder') node.exported = true;
					},
					failed: (_error, applied) => {
						if (applied.s2 === 1) node.exported = true;
					},
				};
			}
			case 'unlink': {
				const node = anyNode((candidate) => candidate.linked);
				if (!node) return undefined;
				return {
					op,
					// A folder's link goes with its export share: `l d:1` then `s2` to nobody, in one request.
					command: node.type === 'file' ? 'l' : rng.pick(['s2', 'l']),
					expect: { applied: node.type === 'file' ? { l: 1 } : { l: 1, s2: 1 } },
					run: () => this.client.removeLink({ handle: node.handle }),
					succeeded: () => {
						node.linked = false;
						node.exported = false;
					},
				};
			}
			default:
				return undefined;
		}
	}

	/** The model against the sandbox's own store. */
	async checkStore(): Promise<void> {
		const stored = (await sandbox.client(EMAIL).list()).filter((entry: SandboxListEntry) => entry.type === 0 || entry.type === 1);
		const byHandle = new Map(stored.map((entry) => [entry.handle, entry]));
		for (const node of this.model.values()) {
			const entry = byHandle.get(node.handle);
			if (!entry) this.violation(`${node.type} ${node.name} (${node.handle}) is missing at MEGA`);
			else if (entry.name !== node.name || entry.parent !== node.parent || entry.size !== node.size) {
				this.violation(`${node.handle}: MEGA has ${entry.name} in ${entry.parent} (${entry.size} B), the model ${node.name} in ${node.parent} (${node.size} B)`);
			}
		}
		for (const entry of stored) if (!this.model.has(entry.handle)) this.violation(`MEGA holds an unexpected ${entry.type === 0 ? 'file' : 'folder'} ${entry.name} (${entry.handle})`);
	}

	/** The long-lived client's tree against a freshly logged-in one (and links against the model). */
	async checkFreshClient(): Promise<void> {
		const fresh = await MegaClient.connect({ kind: 'password', email: EMAIL, password: PASSWORD }, { gateway: sandbox.gateway, retry: RETRY, fresh: true });
		const describe = async (client: MegaClient): Promise<string[]> => {
			const nodes = [...(await client.list('/', { recursive: true })), ...(await client.listRubbishBin({ recursive: true }))];
			const tree = await client.tree();
			return nodes.map((node) => `${node.handle} ${node.path} ${node.size} ${tree.publicHandles.has(node.handle) ? 'linked' : ''}`).sort();
		};
		const [mine, theirs] = [await describe(this.client), await describe(fresh)];
		if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
			const onlyMine = mine.filter((line) => !theirs.includes(line));
			const onlyTheirs = theirs.filter((line) => !mine.includes(line));
			this.violation(`the long-lived client disagrees with a fresh one: only long-lived ${JSON.stringify(onlyMine)}, only fresh ${JSON.stringify(onlyTheirs)}`);
		}
		const freshTree = await fresh.tree();
		for (const node of this.model.values()) {
			if (node.linked !== freshTree.publicHandles.has(node.handle)) this.violation(`${node.name}: link ${node.linked ? 'expected' : 'not expected'} but MEGA says otherwise`);
		}
	}
}

describe('fault soak', () => {
	it(
		`stays exactly-once and truthful under random faults (seed ${SEED}, ${ROUNDS} rounds)`,
		async () => {
			clearSessionCache();
			forgetLiveTrees();
			const unhandled: unknown[] = [];
			const onUnhandled = (reason: unknown): void => {
				unhandled.push(reason);
			};
			process.on('unhandledRejection', onUnhandled);
			const client = await MegaClient.connect({ kind: 'password', email: EMAIL, password: PASSWORD }, { gateway: sandbox.gateway, retry: RETRY });
			const tree = await client.tree();
			const soak = new Soak(client, tree.rootHandle, tree.rubbishHandle);
			try {
				for (soak.round = 0; soak.round < ROUNDS; soak.round++) {
					try {
						await soak.step();
						await soak.checkStore();
						if ((soak.round + 1) % FRESH_EVERY === 0 || soak.round === ROUNDS - 1) await soak.checkFreshClient();
					} catch (error) {
						soak.violation(`the soak itself failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
					}
					soak.figures.rounds = soak.round + 1;
					if (soak.figures.violations.length > 0) break;
				}
			} finally {
				process.off('unhandledRejection', onUnhandled);
				sandbox.faults.clear();
			}
			for (const reason of unhandled) soak.violation(`unhandled rejection: ${String(reason)}`);
			if (process.env.SOAK_ROUNDS || process.env.SOAK_REPORT) process.stdout.write(`SOAK ${JSON.stringify(soak.figures)}\n`);
			if (soak.figures.violations.length > 0) {
				throw new Error(
					`Soak violation (replay: SOAK_SEED=${SEED} SOAK_ROUNDS=${soak.figures.rounds} npx jest test/integration/soak):\n${soak.figures.violations.join('\n')}`,
				);
			}
			expect(soak.figures.rounds).toBe(ROUNDS);
		},
		Math.max(110_000, ROUNDS * 3_000),
	);
});
