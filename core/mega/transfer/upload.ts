/**
 * `uploadFile`: conflict policy, upload URL (`u`), the encrypted body (upload-engine), then `p` with the completion
 * token. A dead upload URL (-4, -8, 403/404) starts again from the source factory with a new URL and a fresh key;
 * `p` is only ever sent with a token covering every byte, so a failed or aborted upload leaves no node behind.
 */
import { randomBytes } from 'node:crypto';
import { base64urlEncode, condenseMacs, encryptAttributes, encryptKey, packNodeKey } from '../crypto';
import { MegaError } from '../errors';
import type { TransferApi, TransferProgress } from './api';
import { NameConflictError, UploadRestartError } from './errors';
import { openSource, SourceNotRestartableError, type UploadSource } from './source';
import { uploadBody } from './upload-engine';

export type NameConflictPolicy = 'keepBoth' | 'newVersion' | 'replace' | 'skip' | 'fail';

export interface ExistingFile {
	handle: string;
	name: string;
}

export interface UploadConflictOptions {
	policy: NameConflictPolicy | ((existing: ExistingFile[]) => NameConflictPolicy | Promise<NameConflictPolicy>);
	/** Files already named like the upload in the target folder (the caller's tree knows them). */
	existing: ExistingFile[];
	/** Every name in the target folder, so "keep both" can pick a free "name (1).ext". */
	siblingNames?: string[];
	/** Moves a replaced file to the rubbish bin (MegaClient.trash records `rr` first). Required for 'replace'. */
	moveToRubbish?: (handle: string) => Promise<void>;
}

export interface UploadOptions {
	parentHandle: string;
	name: string;
	source: UploadSource;
	size?: number;
	masterKey: Buffer;
	mtime?: Date | number;
	conflict?: UploadConflictOptions;
	putNodeExtras?: (nodeKey: Buffer) => Record<string, unknown>;
	exportLink?: boolean;
	concurrency?: number;
	/** Starting POST size (whole chunks), default 2 MiB; grows up to maxPostBytes on slow links. */
	postBytes?: number;
	/** Upper bound on one POST, default 16 MiB. Memory ≈ concurrency × the current POST size. */
	maxPostBytes?: number;
	onProgress?: (progress: TransferProgress) => void;
	signal?: AbortSignal;
	useSsl?: boolean;
	maxRestarts?: number;
	maxChunkRetries?: number;
	/** Idle timeout per storage request, default 60 s. */
	timeoutMs?: number;
	/** Web link host for `link`, default https://mega.nz */
	linkHost?: string;
}

export type UploadOutcome = 'created' | 'versioned' | 'replaced' | 'skipped';

export interface UploadResult {
	handle: string;
	parentHandle: string;
	name: string;
	size: number;
	/** 32-byte packed node key; empty when skipped. */
	nodeKey: Buffer;
	mtime: number;
	/** Fingerprint attribute `c`; '' when skipped. */
	fingerprint: string;
	outcome: UploadOutcome;
	previousHandle?: string;
	link?: string;
	node: Record<string, unknown>;
}

export const DEFAULT_UPLOAD_CONCURRENCY = 4;
export const DEFAULT_POST_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_POST_BYTES = 16 * 1024 * 1024;

function toUnixSeconds(mtime: Date | number | undefined): number {
	if (mtime === undefined) return Math.floor(Date.now() / 1000);
	if (mtime instanceof Date) return Math.floor(mtime.getTime() / 1000);
	return Math.floor(mtime);
}

/** "report.pdf" → "report (1).pdf", the first name not taken. */
export function freeName(name: string, taken: Iterable<string>): string {
	const used = new Set(taken);
	if (!used.has(name)) return name;
	const dot = name.lastIndexOf('.');
	const stem = dot > 0 ? name.slice(0, dot) : name;
	const ext = dot > 0 ? name.slice(dot) : '';
	for (let n = 1; ; n++) {
		const candidate = `${stem} (${n})${ext}`;
		if (!used.has(candidate)) return candidate;
	}
}

export async function uploadFile(api: TransferApi, options: UploadOptions): Promise<UploadResult> {
	if (!options.parentHandle) throw new MegaError('uploadFile needs a target folder handle', { code: 'EARGS', cause: 'bad-request' });
	if (!options.name || options.name.includes('/')) {
		throw new MegaError('The file name must be non-empty and must not contain "/"', { code: 'EARGS', cause: 'bad-request' });
	}
	const mtime = toUnixSeconds(options.mtime);
	let name = options.name;
	let outcome: UploadOutcome = 'created';
	let previousHandle: string | undefined;
	const existing = options.conflict?.existing ?? [];

	if (options.conflict && existing.length > 0) {
		const { policy: chosen } = options.conflict;
		const policy = typeof chosen === 'function' ? await chosen(existing) : chosen;
		switch (policy) {
			case 'fail':
				throw new NameConflictError(name, existing.map((file) => file.handle));
			case 'skip':
				return {
					handle: existing[0].handle,
					parentHandle: options.parentHandle,
					name,
					size: Buffer.isBuffer(options.source) ? options.source.length : (options.size ?? 0),
					nodeKey: Buffer.alloc(0),
					mtime,
					fingerprint: '',
					outcome: 'skipped',
					previousHandle: existing[0].handle,
					node: {},
				};
			case 'newVersion':
				outcome = 'versioned';
				previousHandle = existing[0].handle;
				break;
			case 'replace':
				if (!options.conflict.moveToRubbish) {
					throw new MegaError('The "replace" conflict policy needs a way to move the old file to the rubbish bin', {
						code: 'EARGS',
						cause: 'bad-request',
					});
				}
				outcome = 'replaced';
				previousHandle = existing[0].handle;
				break;
			case 'keepBoth':
				name = freeName(name, [...(options.conflict.siblingNames ?? []), ...existing.map((file) => file.name)]);
				break;
			default:
				throw new MegaError(`Unknown conflict policy "${String(policy)}"`, { code: 'EARGS', cause: 'bad-request' });
		}
	}

	const source = await openSource(options.source, options.size, options.signal);
	try {
		const maxRestarts = options.maxRestarts ?? 3;
		let lastError = 0;
		for (let attempt = 0; ; attempt++) {
			const key = randomBytes(16);
			const nonce = randomBytes(8);
			const asked = performance.now();
			// `v: 2`: the storage server answers the binary completion token (a request without `v` gets a text one).
			const { p: url } = await api.request<{ p: string }>(
				{ a: 'u', s: source.size, ssl: options.useSsl === false ? 0 : 2, v: 2, ms: 0, r: attempt, e: lastError },
				{ signal: options.signal },
			);
			if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
				throw new MegaError('MEGA did not return an upload URL', { code: 'EPROTOCOL', cause: 'temporarily-unavailable' });
			}
			let body;
			try {
				body = await uploadBody({
					url,
					source: await source.open(),
					size: source.size,
					key,
					nonce,
					mtime,
					concurrency: Math.max(1, options.concurrency ?? DEFAULT_UPLOAD_CONCURRENCY),
					postBytes: Math.max(128 * 1024, Math.min(options.postBytes ?? DEFAULT_POST_BYTES, options.maxPostBytes ?? DEFAULT_MAX_POST_BYTES)),
					maxPostBytes: Math.max(128 * 1024, options.maxPostBytes ?? DEFAULT_MAX_POST_BYTES),
					urlRoundTripMs: performance.now() - asked,
					maxRetries: options.maxChunkRetries ?? 6,
					signal: options.signal,
					onProgress: options.onProgress,
					timeoutMs: options.timeoutMs,
				});
			} catch (error) {
				if (error instanceof UploadRestartError && attempt < maxRestarts) {
					if (!source.restartable) throw new SourceNotRestartableError();
					lastError = -4;
					continue;
				}
				throw error;
			}

			const metaMac = condenseMacs(key, body.chunkMacs.sort((x, y) => x.index - y.index).map((entry) => entry.mac));
			const nodeKey = packNodeKey(key, nonce, metaMac);
			const { fingerprint } = body;
			const newNode: Record<string, unknown> = {
				h: body.completionHandle,
				t: 0,
				a: base64urlEncode(encryptAttributes({ n: name, c: fingerprint }, nodeKey)),
				k: base64urlEncode(encryptKey(options.masterKey, nodeKey)),
			};
			if (outcome === 'versioned' && previousHandle) newNode.ov = previousHandle;
			const command: Record<string, unknown> = { a: 'p', t: options.parentHandle, n: [newNode], ...options.putNodeExtras?.(nodeKey) };
			// `vb: 1` keeps the old file as a version whatever the account's versioning setting (with it off, `ov`
			// alone replaces the old file); MEGA's SDK sends `vb` with `ov` the same way.
			if (newNode.ov) command.vb = 1;
			const tag = api.nextRequestTag?.();
			if (tag) command.i = tag;
			const reply = await api.request<{ f?: Array<Record<string, unknown>> }>(command, { signal: options.signal });
			const node = reply?.f?.[0] ?? {};
			const handle = typeof node.h === 'string' ? node.h : '';
			if (!handle) throw new MegaError('MEGA did not return the new file node', { code: 'EPROTOCOL', cause: 'temporarily-unavailable' });

			if (outcome === 'replaced' && options.conflict?.moveToRubbish) {
				for (const old of existing) await options.conflict.moveToRubbish(old.handle);
			}
			const result: UploadResult = {
				handle,
				parentHandle: options.parentHandle,
				name,
				size: source.size,
				nodeKey,
				mtime,
				fingerprint,
				outcome,
				previousHandle,
				node,
			};
			if (options.exportLink) {
				const linkCommand: Record<string, unknown> = { a: 'l', n: handle };
				const linkTag = api.nextRequestTag?.();
				if (linkTag) linkCommand.i = linkTag;
				const publicHandle = await api.request<string>(linkCommand, { signal: options.signal });
				result.link = `${options.linkHost ?? 'https://mega.nz'}/file/${publicHandle}#${base64urlEncode(nodeKey)}`;
			}
			return result;
		}
	} finally {
		await source.dispose();
	}
}
