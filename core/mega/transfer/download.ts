/**
 * `openDownload`: one `g` for the URL, then parallel ranged GETs (`{g}/{start}-{end}`, whole chunks), decrypted and
 * MAC'd per range as the bytes arrive, delivered in order with at most `concurrency` ranges buffered. The
 * meta-MAC is checked before the stream ends; a mismatch destroys it with `TransferIntegrityError`, so a corrupt file
 * never ends as success. Byte ranges cannot be verified (only whole files carry a MAC) and say so (`macChecked`).
 */
import { Readable } from 'node:stream';
import { httpRequest } from '../api/http';
import { base64urlDecode, condenseMacs, decryptAttributes, unpackNodeKey } from '../crypto';
import { errorFromCode, MegaError } from '../errors';
import { describeInOperation } from '../operation';
import type { TransferApi, TransferProgress } from './api';
import { ChunkCipher, releaseBuffer, type ChunkMac } from './chunk-cipher';
import { AdaptiveRequestSize, balancedRequestBytes, nextBalancedRequestEnd } from './chunk-math';
import { TransferIntegrityError, TransferQuotaError } from './errors';
import { abortError, backoffMs, innerAbort, isRetryable, sleep } from './retry';

export type DownloadSource = { handle: string; folderHandle?: string } | { publicHandle: string };

export interface DownloadOptions {
	source: DownloadSource;
	key: Buffer;
	range?: { start: number; end?: number };
	concurrency?: number;
	/** Starting GET size (whole chunks), default 2 MiB; grows up to maxRequestBytes on slow links. */
	requestBytes?: number;
	/** Upper bound on one GET, default 16 MiB. Memory ≈ concurrency × the current GET size. */
	maxRequestBytes?: number;
	signal?: AbortSignal;
	onProgress?: (progress: TransferProgress) => void;
	useSsl?: boolean;
	maxRangeRetries?: number;
	timeoutMs?: number;
	/** How errors name the file ("/Reports/q4.pdf"); default the file's name. */
	label?: string;
}

export interface MegaDownloadInfo {
	size: number;
	start: number;
	length: number;
	attributes: Record<string, unknown>;
	name: string;
	macChecked: boolean;
}

export const DEFAULT_DOWNLOAD_CONCURRENCY = 4;
export const DEFAULT_REQUEST_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const MAX_URL_REFRESHES = 2;

interface GetReply {
	s?: number;
	at?: string;
	g?: string | string[];
	e?: number;
	tl?: number;
	d?: unknown;
}

class RetryableRangeError extends MegaError {
	constructor(
		message: string,
		readonly truncated: boolean,
		/** Bytes that arrived of a cut-short range. */
		readonly received = 0,
	) {
		super(message, { code: truncated ? 'ETRUNCATED' : 'EDOWNLOAD', cause: 'temporarily-unavailable', retryable: true });
	}
}

class UrlExpiredError extends MegaError {
	constructor(status: number) {
		super(`The download URL is no longer valid (HTTP ${status})`, { code: 'EURLEXPIRED', cause: 'not-found', retryable: true });
	}
}

interface RangeState {
	index: number;
	start: number;
	end: number; // exclusive
	queue: Buffer[];
	queuedUpTo: number; // file offset up to which plaintext was queued or delivered (survives retries)
	done: boolean;
}

export async function openDownload(api: TransferApi, options: DownloadOptions): Promise<MegaDownloadStream> {
	if (!Buffer.isBuffer(options.key) || options.key.length !== 32) {
		throw new MegaError('A file download needs the 32-byte node key', { code: 'EKEY', cause: 'bad-request' });
	}
	const asked = performance.now();
	const request = await getUrl(api, options);
	const urlRoundTripMs = performance.now() - asked;
	const size = request.size;
	const wholeFile = options.range === undefined;
	const start = options.range?.start ?? 0;
	const endInclusive = Math.min(options.range?.end ?? size - 1, size - 1);
	if (!Number.isSafeInteger(start) || start < 0 || (size > 0 && start > endInclusive) || (size === 0 && start > 0)) {
		throw new MegaError(`The byte range ${start}-${options.range?.end ?? ''} is outside the file (size ${size})`, {
			code: 'ERANGE',
			cause: 'bad-request',
		});
	}
	return new MegaDownloadStream(api, options, {
		size,
		start,
		length: size === 0 ? 0 : endInclusive - start + 1,
		attributes: request.attributes,
		name: typeof request.attributes.n === 'string' ? request.attributes.n : '',
		macChecked: wholeFile,
	}, request.url, urlRoundTripMs);
}

async function getUrl(
	api: TransferApi,
	options: DownloadOptions,
	signal = options.signal,
): Promise<{ url: string; size: number; attributes: Record<string, unknown> }> {
	const command: Record<string, unknown> = { a: 'g', g: 1, ssl: options.useSsl === false ? 0 : 2 };
	let query: Record<string, string> | undefined;
	if ('publicHandle' in options.source) command.p = options.source.publicHandle;
	else {
		command.n = options.source.handle;
		if (options.source.folderHandle) query = { n: options.source.folderHandle };
	}
	const reply = await api.request<GetReply>(command, { signal, query });
	if (typeof reply.e === 'number' && reply.e < 0) {
		if (reply.e === -17 && typeof reply.tl === 'number') throw new TransferQuotaError(reply.tl);
		throw errorFromCode(reply.e, undefined, 'download');
	}
	if (reply.d) throw errorFromCode(-16, undefined, 'download');
	const size = reply.s;
	if (typeof size !== 'number' || size < 0) {
		throw new MegaError('MEGA did not say how big the file is', { code: 'EPROTOCOL', cause: 'temporarily-unavailable' });
	}
	const url = Array.isArray(reply.g) ? undefined : reply.g;
	if (size > 0 && (typeof url !== 'string' || !/^https?:\/\//.test(url))) {
		throw new MegaError('MEGA did not return a usable download URL', { code: 'EPROTOCOL', cause: 'temporarily-unavailable' });
	}
	const attributes = typeof reply.at === 'string' ? decryptAttributes(base64urlDecode(reply.at), options.key) : {};
	return { url: url ?? '', size, attributes };
}

export class MegaDownloadStream extends Readable implements MegaDownloadInfo {
	readonly size: number;
	readonly start: number;
	readonly length: number;
	readonly attributes: Record<string, unknown>;
	readonly name: string;
	readonly macChecked: boolean;

	private readonly aesKey: Buffer;
	private readonly nonce: Buffer;
	private readonly expectedMac: Buffer;
	private readonly concurrency: number;
	private readonly fetchTo: number;
	private nextOffset: number;
	private readonly requestSize: AdaptiveRequestSize;
	private readonly ranges = new Map<number, RangeState>();
	private readonly macs: ChunkMac[] = [];
	private readonly abort: AbortController;
	private readonly signal: AbortSignal;
	private nextToStart = 0;
	private nextToDeliver = 0;
	private active = 0;
	private delivered = 0;
	private finished = false;
	private urlRefreshes = 0;

	constructor(
		private readonly api: TransferApi,
		private readonly options: DownloadOptions,
		info: MegaDownloadInfo,
		private url: string,
		urlRoundTripMs?: number,
	) {
		super({ highWaterMark: 1024 * 1024 });
		this.size = info.size;
		this.start = info.start;
		this.length = info.length;
		this.attributes = info.attributes;
		this.name = info.name;
		this.macChecked = info.macChecked;
		const { key, nonce, metaMac } = unpackNodeKey(options.key);
		this.aesKey = key;
		this.nonce = nonce;
		this.expectedMac = metaMac;
		this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY);
		this.nextOffset = this.macChecked ? 0 : this.start - (this.start % 16);
		this.fetchTo = this.start + this.length;
		const max = options.maxRequestBytes ?? Math.max(DEFAULT_MAX_REQUEST_BYTES, options.requestBytes ?? 0);
		this.requestSize = new AdaptiveRequestSize(options.requestBytes ?? DEFAULT_REQUEST_BYTES, max);
		if (urlRoundTripMs !== undefined) this.requestSize.recordLatency(urlRoundTripMs);
		const { controller, signal } = innerAbort(options.signal);
		this.abort = controller;
		this.signal = signal;
		signal.addEventListener('abort', () => this.destroy(abortError(signal)), { once: true });
	}

	override _read(): void {
		this.flush();
		this.schedule();
	}

	override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
		this.finished = true;
		// Name the file in errors that end the stream (not an abort the caller asked for).
		if (error instanceof MegaError && error.code !== 'EABORTED') describeInOperation(error, { kind: 'download', text: `downloading "${this.options.label ?? this.name}"` });
		if (!this.abort.signal.aborted) this.abort.abort(error ?? undefined);
		this.ranges.clear();
		callback(error);
	}

	private schedule(): void {
		while (!this.destroyed && this.active < this.concurrency && this.nextOffset < this.fetchTo) {
			// Memory: ranges in flight or waiting for delivery hold at most concurrency × the request size (a range that
			// finished early waits for the ones before it; balanced sizes keep that wait short).
			const budget = this.concurrency * this.requestSize.current - this.bytesHeld();
			if (budget <= 0) break;
			const share = balancedRequestBytes(this.requestSize.current, this.fetchTo - this.nextOffset, this.inFlightLeft(), this.concurrency);
			const index = this.nextToStart++;
			const start = this.nextOffset;
			const end = nextBalancedRequestEnd(start, this.fetchTo, Math.min(share, budget), this.requestSize.current);
			this.nextOffset = end;
			const range: RangeState = { index, start, end, queue: [], queuedUpTo: start, done: false };
			this.ranges.set(index, range);
			this.active++;
			this.fetchRange(range).then(
				() => {
					this.active--;
					range.done = true;
					this.flush();
					this.schedule();
				},
				(error: unknown) => {
					this.active--;
					this.destroy(error instanceof Error ? error : new Error(String(error)));
				},
			);
		}
		if (this.allFetched() && this.nextToDeliver >= this.nextToStart) this.finish();
	}

	/** Bytes of the ranges not yet delivered (in flight or finished and waiting for the ones before them). */
	private bytesHeld(): number {
		let held = 0;
		for (const range of this.ranges.values()) held += range.end - range.start;
		return held;
	}

	/** Bytes the ranges in flight have still to receive. */
	private inFlightLeft(): number {
		let left = 0;
		for (const range of this.ranges.values()) if (!range.done) left += range.end - Math.max(range.start, range.queuedUpTo);
		return left;
	}

	private allFetched(): boolean {
		return this.nextOffset >= this.fetchTo;
	}

	private flush(): void {
		while (!this.destroyed && this.nextToDeliver < this.nextToStart) {
			const head = this.ranges.get(this.nextToDeliver);
			if (!head) return;
			while (head.queue.length > 0) {
				const piece = head.queue.shift() as Buffer;
				this.delivered += piece.length;
				this.options.onProgress?.({ bytesDone: this.delivered, bytesTotal: this.length });
				if (!this.push(piece)) return;
			}
			if (!head.done) return;
			this.ranges.delete(head.index);
			this.nextToDeliver++;
		}
		if (this.allFetched() && this.nextToDeliver >= this.nextToStart) this.finish();
	}

	private finish(): void {
		if (this.finished || this.destroyed) return;
		this.finished = true;
		if (this.macChecked && this.size > 0) {
			const macs = this.macs.sort((x, y) => x.index - y.index).map((entry) => entry.mac);
			const actual = condenseMacs(this.aesKey, macs);
			if (!actual.equals(this.expectedMac)) {
				this.destroy(
					new TransferIntegrityError('mac-mismatch', 'The downloaded bytes do not match the file\'s checksum (MAC): the data or the key is damaged'),
				);
				return;
			}
		}
		this.push(null);
	}

	private async fetchRange(range: RangeState): Promise<void> {
		const maxRetries = this.options.maxRangeRetries ?? 6;
		for (let attempt = 0; ; attempt++) {
			try {
				await this.fetchOnce(range);
				return;
			} catch (error) {
				if (this.signal.aborted) throw abortError(this.signal);
				if (error instanceof UrlExpiredError && this.urlRefreshes < MAX_URL_REFRESHES) {
					this.urlRefreshes++;
					this.url = (await getUrl(this.api, this.options, this.signal)).url;
					continue;
				}
				if (!isRetryable(error) || attempt >= maxRetries) {
					if (error instanceof RetryableRangeError && error.truncated) {
						const expected = range.end - range.start;
						throw new TransferIntegrityError(
							'truncated',
							`The storage server kept cutting the download short: bytes ${range.start}–${range.end - 1} of the file (${expected} bytes) never arrived whole; ` +
								`the last of ${attempt + 1} tries got ${error.received} of them`,
						);
					}
					throw error;
				}
			}
			await sleep(backoffMs(attempt), this.signal);
		}
	}

	private async fetchOnce(range: RangeState): Promise<void> {
		const expected = range.end - range.start;
		const started = performance.now();
		const cipher = new ChunkCipher('decrypt', this.aesKey, this.nonce, range.start, this.size, this.macChecked);
		const response = await httpRequest(`${this.url}/${range.start}-${range.end - 1}`, {
			signal: this.signal,
			timeoutMs: this.options.timeoutMs,
		});
		if (!this.requestSize.decided) this.requestSize.recordLatency(performance.now() - started);
		if (response.status !== 200) {
			response.body.resume();
			const status = response.status;
			if (status === 509) {
				const left = response.headers['x-mega-time-left'];
				throw new TransferQuotaError(Number(Array.isArray(left) ? left[0] : left) || 3600);
			}
			if (status === 403 || status === 404 || status === 410) throw new UrlExpiredError(status);
			throw new MegaError(`The storage server answered HTTP ${status}`, {
				code: `HTTP${status}`,
				cause: 'temporarily-unavailable',
				retryable: status >= 500 || status === 429 || status === 408,
			});
		}
		let received = 0;
		const out: Buffer[] = [];
		await new Promise<void>((resolve, reject) => {
			const body = response.body;
			body.on('data', (chunk: Buffer) => {
				if (received + chunk.length > expected) {
					body.destroy(new RetryableRangeError(`range ${range.start}: more bytes than asked for`, false));
					return;
				}
				const pieceStart = range.start + received;
				received += chunk.length;
				out.length = 0;
				cipher.update(chunk, out);
				// Only this listener reads the response body, and decryption made new buffers: free the ciphertext now.
				releaseBuffer(chunk);
				let at = pieceStart;
				for (const plain of out) {
					this.accept(range, plain, at);
					at += plain.length;
				}
				if (range.index === this.nextToDeliver) this.flush();
			});
			body.once('end', () => {
				if (received === expected) resolve();
				else reject(new RetryableRangeError(`range ${range.start}: ${received} of ${expected} bytes`, true, received));
			});
			body.once('error', (error) => {
				reject(isRetryable(error) || this.signal.aborted ? error : new RetryableRangeError(String(error), false));
			});
		});
		for (const entry of cipher.macs) this.macs.push(entry);
	}

	/** Queues the part of a decrypted piece at file offset `at` that has not been queued before and lies in the range asked for. */
	private accept(range: RangeState, plain: Buffer, at: number): void {
		const pieceEnd = at + plain.length;
		const from = Math.max(at, range.queuedUpTo, this.start);
		const to = Math.min(pieceEnd, this.start + this.length);
		if (to > from) range.queue.push(from === at && to === pieceEnd ? plain : plain.subarray(from - at, to - at));
		if (pieceEnd > range.queuedUpTo) range.queuedUpTo = pieceEnd;
	}
}

