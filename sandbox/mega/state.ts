import type { BlobStore } from './blob-store';
import { withSeqTag, type Dialect } from './dialect';
import type { FaultRegistry } from './faults';
import type { ActionPacket, ScFeed } from './sc-log';
import type { AccountRecord, SessionRecord, Store } from './store';
import type { HashcashConfig, SandboxCounters } from './types';
import type { TransferRegistry } from './transfers';
import { ApiError, EACCESS, ENOENT, ESID } from './util';

export function emptyCounters(): SandboxCounters {
	return {
		endpoints: { cs: 0, sc: 0, wait: 0, upload: 0, download: 0, control: 0, other: 0 },
		commands: {},
		applied: {},
		replayed: 0,
		faults: 0,
		hashcashChallenges: 0,
	};
}

/** Everything a command handler may touch. */
export interface SandboxState {
	store: Store;
	blobs: BlobStore;
	feed: ScFeed;
	faults: FaultRegistry;
	transfers: TransferRegistry;
	gateway: string;
	waitTimeoutMs: number;
	hashcash: HashcashConfig | null;
	counters: SandboxCounters;
	log: (line: string) => void;
}

export interface FolderLinkContext {
	ph: string;
	rootHandle: string;
	owner: string;
}

export interface CommandContext {
	state: SandboxState;
	session?: SessionRecord;
	folderLink?: FolderLinkContext;
	query: URLSearchParams;
	/** `v3` when the request had `&v=3`: packets get a sequence tag and results the shapes of `dialect.ts`. */
	dialect?: Dialect;
	/** The sequence tag of the command being executed, set by its first `emit` (v3 only). */
	seqTag?: string;
	/** The caller writes the reply with `jsonPieces` (`json-chunks.ts`): a large list may be a `JsonList`. */
	deferredLists?: boolean;
}

export type Command = Record<string, unknown>;
export type CommandHandler = (cmd: Command, ctx: CommandContext) => unknown | Promise<unknown>;

export function requireAccount(ctx: CommandContext): AccountRecord {
	const account = ctx.session ? ctx.state.store.accounts.get(ctx.session.userHandle) : undefined;
	if (!account) throw new ApiError(ESID);
	return account;
}

/** A node the session's account owns (any node of its three trees). */
export function ownNode(ctx: CommandContext, handle: unknown) {
	const account = requireAccount(ctx);
	if (typeof handle !== 'string') throw new ApiError(ENOENT);
	const node = ctx.state.store.nodes.get(handle);
	if (!node) throw new ApiError(ENOENT);
	if (node.u !== account.userHandle) throw new ApiError(EACCESS);
	return { account, node };
}

/** Builds an action packet: `a` first, then the echoed request id `i`, as the SDK expects. */
export function packet(type: string, cmd: Command, fields: Record<string, unknown>): ActionPacket {
	const out: ActionPacket = { a: type };
	if (typeof cmd.i === 'string') out.i = cmd.i;
	return Object.assign(out, fields);
}

/**
 * Appends the command's packets to the account's feed. In `v=3` the command gets one new sequence tag for all its
 * packets (none when it emits nothing); `onFirstOnly` puts it on the first packet alone, as for moves, whose `t`
 * packet follows the tagged `d` untagged (`MegaClient::sc_checkActionPacketWithoutSt`).
 */
export function emit(ctx: CommandContext, userHandle: string, packets: ActionPacket[], options: { onFirstOnly?: boolean } = {}): void {
	if (packets.length === 0) return;
	if (ctx.dialect === 'v3') {
		const seqTag = (ctx.seqTag ??= ctx.state.feed.nextSeqTag(userHandle));
		packets = packets.map((packet, index) => (options.onFirstOnly && index > 0 ? packet : withSeqTag(packet, seqTag)));
	}
	ctx.state.feed.append(userHandle, packets);
}
