/**
 * Sends one file body to one upload URL: reads the source in order, encrypts and MACs it on chunk boundaries,
 * groups whole chunks into POSTs of up to `maxPostBytes`, and keeps up to `concurrency` POSTs in flight. A POST
 * starts as soon as a connection is free and its body streams out while it is being encrypted, so a connection never
 * waits for a whole POST to be read and encrypted. Each POST's ciphertext is held until the server acknowledges it,
 * so a retry re-sends the same bytes; memory stays near concurrency × POST size whatever the file size.
 */
import { PassThrough, Readable } from 'node:stream';
import { httpRequest, readAll } from '../api/http';
import { FingerprintBuilder } from '../crypto';
import { MegaError } from '../errors';
import { ChunkCipher, releaseBuffer, type ChunkMac } from './chunk-cipher';
import { AdaptiveRequestSize, balancedRequestBytes, nextBalancedRequestEnd, nextRequestEnd } from './chunk-math';
import { SizeMismatchError, TransferIntegrityError, TransferQuotaError, UploadFailedError, UploadRestartError } from './errors';
import { abortError, backoffMs, innerAbort, isRetryable, sleep } from './retry';
import type { TransferProgress } from './api';

export interface UploadBodyOptions {
	url: string;
	source: Readable;
	size: number;
	key: Buffer;
	nonce: Buffer;
	/** Unix seconds for the fingerprint `c`, computed from the plaintext on the way through. */
	mtime: number;
	concurrency: number;
	/** First POST size target; it grows towards `maxPostBytes` while POSTs are slow (see AdaptiveRequestSize). */
	postBytes: number;
	maxPostBytes: number;
	/** Round trip of the `u` command that gave the URL: the first latency sample. */
	urlRoundTripMs?: number;
	maxRetries: number;
	signal?: AbortSignal;
	onProgress?: (progress: TransferProgress) => void;
	timeoutMs?: number;
}

export interface UploadBodyResult {
	/** The completion handle exactly as `p` expects it in `n[].h` (see interpretReply). */
	completionHandle: string;
	chunkMacs: ChunkMac[];
	fingerprint: string;
}

/** A binary completion token (`u` with `v` >= 2): 36 bytes, the last one 0x01. */
const BINARY_TOKEN_LENGTH = 36;
/** A text completion token (`u` without `v`): MEGA base64 text, 36 characters (27 bytes) on MEGA; 20..50 accepted. */
const TEXT_TOKEN = /^[A-Za-z0-9_+/-]{20,50}$/;

interface Post {
	offset: number;
	length: number;
	/** The ciphertext, kept until the server acknowledges it so that a retry re-sends the same bytes. */
	pieces: Buffer[];
	/** A one-chunk POST whose round trip measures the link's latency. */
	probe?: boolean;
	/** The first attempt's body, fed while the POST is being encrypted. */
	live?: PassThrough;
	filled: boolean;
	whenFilled: Promise<void>;
	markFilled: () => void;
	/** When the current attempt was sent (performance.now()), for the estimate of what it still has to send. */
	sentAt: number;
}

function newPost(offset: number, length: number, probe: boolean): Post {
	let resolveFilled = (): void => undefined;
	const whenFilled = new Promise<void>((resolve) => (resolveFilled = resolve));
	const live = new PassThrough({ highWaterMark: 64 * 1024 });
	live.on('error', () => undefined); // the request it feeds reports the failure
	const post: Post = {
		offset,
		length,
		pieces: [],
		probe,
		live,
		filled: false,
		whenFilled,
		markFilled: () => {
			post.filled = true;
			if (post.live && !post.live.destroyed) post.live.end();
			resolveFilled();
		},
		sentAt: performance.now(),
	};
	return post;
}

/** Adds encrypted pieces to a POST: kept for retries, and streamed to the first attempt while it is running. */
function feed(post: Post, pieces: Buffer[], from: number): void {
	const live = post.live && !post.live.destroyed ? post.live : undefined;
	for (let i = from; i < pieces.length; i++) live?.write(pieces[i]);
}

/** Resolves when the POST is fully encrypted; rejects if the upload is aborted first. */
function untilFilled(post: Post, signal: AbortSignal): Promise<void> {
	if (post.filled) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const onAbort = () => reject(abortError(signal));
		signal.addEventListener('abort', onAbort, { once: true });
		void post.whenFilled.then(() => {
			signal.removeEventListener('abort', onAbort);
			resolve();
		});
	});
}

const PROBE_ABOVE = 16 * 1024 * 1024;
/** Bytes encrypted between two turns of the event loop. */
const YIELD_EVERY_BYTES = 1024 * 1024;

export async function uploadBody(options: UploadBodyOptions): Promise<UploadBodyResult> {
	const { size, source } = options;
	const { controller, signal } = innerAbort(options.signal);
	const cipher = new ChunkCipher('encrypt', options.key, options.nonce, 0, size);
	const sampler = new FingerprintBuilder(size, options.mtime);
	const postSize = new AdaptiveRequestSize(options.postBytes, options.maxPostBytes);
	if (options.urlRoundTripMs !== undefined) postSize.recordLatency(options.urlRoundTripMs);
	const inFlight = new Set<Promise<void>>();
	const unacknowledged = new Set<Post>();
	// Bytes and time of acknowledged POSTs: one connection's throughput, to guess what POSTs in flight still have to send.
	let measuredBytes = 0;
	let measuredMs = 0;
	let failure: unknown;
	let token: string | undefined;
	let acknowledged = 0;
	let slotFreed: (() => void) | undefined;

	const fail = (error: unknown) => {
		if (failure === undefined) {
			failure = error;
			controller.abort(error);
		}
		slotFreed?.();
	};

	/** Bytes the POSTs in flight have still to send (estimated from the throughput of acknowledged POSTs). */
	const inFlightLeft = (): number => {
		const now = performance.now();
		let left = 0;
		for (const post of unacknowledged) {
			const sent = measuredMs > 0 ? ((now - post.sentAt) * measuredBytes) / measuredMs : 0;
			left += Math.max(0, post.length - sent);
		}
		return left;
	};

	const dispatch = (post: Post) => {
		unacknowledged.add(post);
		const running = sendPost(post)
			.then(async (reply) => {
				unacknowledged.delete(post);
				measuredBytes += post.length;
				measuredMs += performance.now() - post.sentAt;
				if (reply) token = reply;
				// (A reply before the body was read would be a server bug; keep the pieces until they are all made.)
				await untilFilled(post, signal);
				acknowledged += post.length;
				// Acknowledged: the server has read every byte, so the ciphertext can go now (not at the next GC).
				for (const piece of post.pieces) releaseBuffer(piece);
				post.pieces.length = 0;
				options.onProgress?.({ bytesDone: acknowledged, bytesTotal: size });
			})
			.catch(fail)
			.finally(() => {
				inFlight.delete(running);
				slotFreed?.();
			});
		inFlight.add(running);
	};

	const waitForSlot = async () => {
		while (inFlight.size >= options.concurrency && failure === undefined) {
			await new Promise<void>((resolve) => (slotFreed = resolve));
			slotFreed = undefined;
		}
		if (failure !== undefined) throw failure;
	};

	const sendPost = async (post: Post): Promise<string | undefined> => {
		for (let attempt = 0; ; attempt++) {
			try {
				return await postOnce(post);
			} catch (error) {
				post.live?.destroy();
				post.live = undefined;
				if (signal.aborted) throw failure ?? abortError(signal);
				if (error instanceof UploadRestartError || !isRetryable(error) || attempt >= options.maxRetries) throw error;
			}
			await sleep(backoffMs(attempt), signal);
		}
	};

	const postOnce = async (post: Post): Promise<string | undefined> => {
		let body: Buffer | Readable;
		if (post.live) {
			// First attempt: the body streams out as it is encrypted (the PassThrough holds what came before).
			body = post.live;
		} else {
			// A retry: the same bytes again, once they all exist.
			await untilFilled(post, signal);
			body = post.pieces.length === 1 ? post.pieces[0] : Readable.from(post.pieces, { objectMode: false });
		}
		const started = performance.now();
		post.sentAt = started;
		const response = await httpRequest(`${options.url}/${post.offset}`, {
			method: 'POST',
			headers: { 'Content-Length': post.length, 'Content-Type': 'application/octet-stream' },
			body,
			signal,
			timeoutMs: options.timeoutMs,
		});
		const reply = await readAll(response.body, 4096);
		if (post.probe && !postSize.decided) postSize.recordLatency(performance.now() - started);
		return interpretReply(response.status, response.headers['x-mega-time-left'], reply, post.offset);
	};

	let filling: Post | undefined;
	try {
		if (size === 0) {
			const empty = newPost(0, 0, false);
			empty.markFilled();
			dispatch(empty);
		} else {
			let posts = 0; // POSTs started
			let position = 0;
			let sinceYield = 0;
			for await (const raw of source) {
				if (failure !== undefined) throw failure;
				const piece = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as string);
				let at = 0;
				while (at < piece.length) {
					if (position >= size) throw new SizeMismatchError(size, `more than ${size}`);
					if (!filling) {
						// A new POST starts only when a connection is free (memory = concurrency × POST size), and is sent
						// at once: its body follows as it is encrypted.
						await waitForSlot();
						// On a big file the first POST is a single small chunk: its round trip measures the latency.
						const probe = size > PROBE_ABOVE && posts === 0 && !postSize.decided;
						const target = probe ? 1 : balancedRequestBytes(postSize.current, size - position, inFlightLeft(), options.concurrency);
						filling = newPost(position, (probe ? nextRequestEnd(position, size, 1) : nextBalancedRequestEnd(position, size, target, postSize.current)) - position, probe);
						posts++;
						dispatch(filling);
					}
					if (sinceYield >= YIELD_EVERY_BYTES) {
						// Let the event loop run between steps: sockets whose buffers drained take the ciphertext made so
						// far, instead of idling until a whole POST is encrypted.
						sinceYield = 0;
						await new Promise((resolve) => setImmediate(resolve));
						if (failure !== undefined) throw failure;
					}
					const post = filling;
					const take = Math.min(piece.length - at, post.offset + post.length - position, YIELD_EVERY_BYTES);
					const part = at === 0 && take === piece.length ? piece : piece.subarray(at, at + take);
					sampler.update(part);
					const before = post.pieces.length;
					cipher.update(part, post.pieces);
					feed(post, post.pieces, before);
					position += take;
					at += take;
					sinceYield += take;
					if (position === post.offset + post.length) {
						post.markFilled();
						filling = undefined;
					}
				}
			}
			if (position !== size) throw new SizeMismatchError(size, position);
		}
		while (inFlight.size > 0) await Promise.all([...inFlight]);
		if (failure !== undefined) throw failure;
		if (!token) {
			throw new TransferIntegrityError('bad-token', 'The storage server acknowledged every byte but sent no completion token');
		}
		return { completionHandle: token, chunkMacs: cipher.macs, fingerprint: sampler.digest() };
	} catch (error) {
		fail(error);
		filling?.live?.destroy();
		await Promise.allSettled([...inFlight]);
		throw failure;
	} finally {
		if (!source.destroyed) source.destroy();
	}
}

/**
 * Storage-server replies: empty (or "0") = accepted, a short ASCII negative number = an error code, anything else
 * on the POST that completes the file = the completion token, returned as the `h` that `p` expects. Its form depends
 * on the `v` of the `u` request: with `v` >= 2 it is 36 binary bytes ending in 0x01, sent on as base64url; without
 * `v` it is base64 text, passed on verbatim (MEGA's SDK reads both the same way, `transferslot.cpp`). Re-encoding a
 * text token as if it were binary would make `p` fail, so anything that is neither form is an error.
 */
export function interpretReply(status: number, timeLeft: string | string[] | undefined, reply: Buffer, offset: number): string | undefined {
	if (status === 200) {
		const text = reply.length <= 12 ? reply.toString('latin1').trim() : '';
		if (reply.length === 0 || text === '0') return undefined;
		if (/^-\d+$/.test(text)) {
			const errno = Number(text);
			if (errno === -3) {
				throw new MegaError(`The storage server asked to retry the chunk at ${offset} (EAGAIN)`, {
					code: 'EAGAIN',
					cause: 'temporarily-unavailable',
					retryable: true,
				});
			}
			if (errno === -4 || errno === -8 || errno === -5) {
				throw new UploadRestartError(`The upload URL failed with ${errno}; starting again with a new one`);
			}
			throw new UploadFailedError(errno, `The storage server rejected the upload at offset ${offset} with error ${errno}`);
		}
		if (reply.length === BINARY_TOKEN_LENGTH && reply[BINARY_TOKEN_LENGTH - 1] === 0x01) return reply.toString('base64url');
		const asText = reply.toString('latin1');
		if (TEXT_TOKEN.test(asText)) return asText;
		throw new TransferIntegrityError('bad-token', `The storage server answered with ${reply.length} unexpected bytes`);
	}
	if (status === 509) {
		throw new TransferQuotaError(Number(Array.isArray(timeLeft) ? timeLeft[0] : timeLeft) || 3600);
	}
	if (status === 403 || status === 404 || status === 410) {
		throw new UploadRestartError(`The upload URL is no longer valid (HTTP ${status}); starting again with a new one`);
	}
	if (status >= 500 || status === 429 || status === 408) {
		throw new MegaError(`The storage server answered HTTP ${status}`, {
			code: `HTTP${status}`,
			cause: 'temporarily-unavailable',
			retryable: true,
		});
	}
	throw new UploadFailedError(0, `The storage server answered HTTP ${status} to the upload at offset ${offset}`);
}
