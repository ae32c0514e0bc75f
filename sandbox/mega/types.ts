/** Public types of the MEGA sandbox: the contract the tests, the demo and the benchmarks use (overview: sandbox/README.md). */

export interface HashcashConfig {
	commands: string[];
	easiness: number;
}

export interface MegaSandboxOptions {
	/** 0 (default) = any free port; the host is always 127.0.0.1. */
	port?: number;
	/** Keep file blobs on disk in this folder (created if missing); default: memory. */
	dataDir?: string;
	/** Create the demo accounts with a few folders and files. */
	seed?: boolean;
	/** Action packets retained per account (default 10 000); an older `sn` gets -6. */
	scLogLimit?: number;
	/** How long a wait URL blocks with no change (default 30 000 ms). */
	waitTimeoutMs?: number;
	/** Hashcash challenges for these commands (default: off). */
	hashcash?: HashcashConfig | null;
	/** Path of the control endpoint (default '/__control'). */
	controlPath?: string;
	/** Request log; lines never contain sids, keys or passwords. */
	log?: (line: string) => void;
}

export interface CreateAccountOptions {
	email: string;
	password: string;
	/** Default 2. */
	version?: 1 | 2;
	/** Base32 secret: the account needs a TOTP code (`mfa`) to log in. */
	totpSecret?: string;
	name?: string;
	storageBytes?: number;
	/** A fixed transfer quota, reported as `mxfer` (a Pro account); without it the account is free: no `mxfer`. */
	transferBytes?: number;
	/** The account's file-versioning setting, default on (as on MEGA). */
	fileVersioning?: boolean;
}

export interface SandboxAccountInfo {
	email: string;
	password: string;
	version: 1 | 2;
	totpSecret?: string;
}

export interface SandboxAccount extends SandboxAccountInfo {
	userHandle: string;
	rootHandle: string;
	inboxHandle: string;
	rubbishHandle: string;
	/** Client-side knowledge of the provisioning helper; never part of the server store. */
	masterKey: Buffer;
}

export type SandboxEndpoint = 'cs' | 'sc' | 'wait' | 'upload' | 'download';
export const SANDBOX_ENDPOINTS: readonly SandboxEndpoint[] = ['cs', 'sc', 'wait', 'upload', 'download'];

export type FaultAction =
	| { kind: 'error'; code: number; scope?: 'request' | 'command' }
	| { kind: 'http'; status: number; headers?: Record<string, string> }
	| { kind: 'drop'; afterBytes?: number }
	| { kind: 'truncate'; keepBytes?: number }
	| { kind: 'flip'; at?: number }
	| { kind: 'quota509'; timeLeft: number }
	| { kind: 'latency'; ms: number }
	| { kind: 'bandwidth'; bytesPerSecond: number };

export type FaultSpec = FaultAction & {
	endpoint?: SandboxEndpoint | SandboxEndpoint[];
	/** cs only: match requests that contain this command. */
	command?: string;
	/** Only requests made with sessions of this account. */
	email?: string;
	/** Fire for the next N matching requests. */
	count?: number;
	/** Fire with this probability per matching request. */
	probability?: number;
};

export type ActiveFault = FaultSpec & { id: string; hits: number; remaining?: number };

export interface SandboxFaults {
	add(spec: FaultSpec): string;
	remove(id: string): void;
	clear(): void;
	list(): ActiveFault[];
}

export interface SandboxCounters {
	endpoints: { cs: number; sc: number; wait: number; upload: number; download: number; control: number; other: number };
	commands: Record<string, number>;
	applied: Record<string, number>;
	replayed: number;
	faults: number;
	hashcashChallenges: number;
}

export interface QuotaSettings {
	storageBytes?: number;
	transferBytes?: number;
	transferResetSeconds?: number;
}

export interface SandboxNodeRecord {
	h: string;
	p: string;
	u: string;
	t: number;
	a: string;
	k: string;
	s?: number;
	ts: number;
	fa?: string;
}

export interface SandboxListEntry {
	handle: string;
	parent: string;
	type: number;
	name: string;
	size: number;
}

export interface SandboxClient {
	readonly account: SandboxAccount;
	mkdir(name: string, parent?: string): Promise<string>;
	/** `opts.replaces`: make the upload the new version of that file (`ov`). */
	upload(name: string, data: Buffer, parent?: string, opts?: { mtime?: number; replaces?: string }): Promise<string>;
	rename(handle: string, newName: string): Promise<void>;
	move(handle: string, target: string): Promise<void>;
	remove(handle: string): Promise<void>;
	list(): Promise<SandboxListEntry[]>;
	download(handle: string): Promise<Buffer>;
	populate(opts: { folders: number; filesPerFolder: number; parent?: string }): Promise<number>;
	/** Exports a folder and makes its link; by default as MEGA's apps do (dummy zero `ok`/`ha`, key kept client-side). */
	exportFolder(handle: string, opts?: { ownerKey?: 'dummy' | 'real' }): Promise<{ publicHandle: string; url: string }>;
}

export interface MegaSandbox {
	readonly gateway: string;
	readonly controlUrl: string;
	readonly port: number;
	readonly accounts: SandboxAccountInfo[];
	close(): Promise<void>;
	createAccount(options: CreateAccountOptions): Promise<SandboxAccount>;
	client(email: string): SandboxClient;
	faults: SandboxFaults;
	counters(): SandboxCounters;
	resetCounters(): void;
	expireSessions(email?: string): void;
	trimScLog(email?: string, keep?: number): void;
	setHashcash(config: HashcashConfig | null): void;
	setQuota(email: string, quota: QuotaSettings): void;
	/** Turns the account's file versioning on or off (`p` with `ov` and no `vb` follows it). */
	setFileVersioning(email: string, enabled: boolean): void;
	currentSn(email: string): string;
	dumpStore(): string;
	getNode(handle: string): SandboxNodeRecord | undefined;
	nodeCount(email: string): number;
}
