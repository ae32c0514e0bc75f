import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { base64urlDecode, base64urlEncode } from './base64url';
import { HashcashAbortedError, HashcashHeaderError, MegaCryptoError } from './errors';
import { HASHCASH_WORKER_SOURCE } from './hashcash-worker';

/** The token is repeated this many times after the 4-byte prefix (12 MiB of SHA-256 per attempt). */
const TOKEN_REPEAT = 262_144;
const TOKEN_BYTES = 48;
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export interface HashcashChallenge {
	easiness: number;
	timestamp: number;
	/** 48 bytes. */
	token: Buffer;
	/** The token as sent (64 base64url chars). */
	tokenText: string;
}

export interface SolveHashcashOptions {
	signal?: AbortSignal;
	/** Worker threads to use (default: available cores minus one, so the event loop keeps a core; 1..4). */
	workers?: number;
	/** Give up after this long (default 5 minutes, the MEGA SDK's budget). */
	timeoutMs?: number;
}

/** The largest acceptable first big-endian word of the SHA-256: ((e & 63) * 2 + 1) << ((e >> 6) * 7 + 3). */
export function hashcashThreshold(easiness: number): number {
	if (!Number.isInteger(easiness) || easiness < 0 || easiness > 255) throw new RangeError(`Hashcash easiness must be 0..255, got ${easiness}`);
	return ((easiness & 63) * 2 + 1) * 2 ** ((easiness >> 6) * 7 + 3);
}

function decodeToken(tokenText: string): Buffer {
	if (tokenText.length !== 64) throw new HashcashHeaderError(`Hashcash token must be 64 characters, got ${tokenText.length}`);
	try {
		return base64urlDecode(tokenText, TOKEN_BYTES);
	} catch (error) {
		if (error instanceof MegaCryptoError) throw new HashcashHeaderError('Hashcash token is not valid base64url');
		throw error;
	}
}

/** Parses the challenge `X-Hashcash: 1:<easiness>:<timestamp>:<token>`. */
export function parseHashcashChallenge(header: string): HashcashChallenge {
	if (typeof header !== 'string') throw new HashcashHeaderError('Missing X-Hashcash header');
	const parts = header.trim().split(':');
	if (parts.length !== 4) throw new HashcashHeaderError(`X-Hashcash challenge must have 4 fields separated by ":", got ${parts.length}`);
	const [version, easinessText, timestampText, tokenText] = parts;
	if (version !== '1') throw new HashcashHeaderError(`Unsupported X-Hashcash version "${version.slice(0, 10)}"`);
	if (!/^\d{1,3}$/.test(easinessText) || Number(easinessText) > 255) throw new HashcashHeaderError('X-Hashcash easiness must be an integer 0..255');
	if (!/^\d{1,15}$/.test(timestampText)) throw new HashcashHeaderError('X-Hashcash timestamp must be a non-negative integer');
	return { easiness: Number(easinessText), timestamp: Number(timestampText), token: decodeToken(tokenText), tokenText };
}

function toChallenge(challenge: HashcashChallenge | string): HashcashChallenge {
	if (typeof challenge === 'object' && challenge !== null && Buffer.isBuffer(challenge.token)) return challenge;
	return parseHashcashChallenge(challenge as string);
}

function prefixOf(counter: number): Buffer {
	const prefix = Buffer.alloc(4);
	prefix.writeUInt32LE(counter >>> 0);
	return prefix;
}

/** A challenge header for a server (the sandbox) to send. */
export function createHashcashChallenge(
	easiness: number,
	options: { timestamp?: number; token?: Buffer } = {},
): { header: string; challenge: HashcashChallenge } {
	hashcashThreshold(easiness);
	const token = options.token ?? randomBytes(TOKEN_BYTES);
	if (token.length !== TOKEN_BYTES) throw new RangeError(`Hashcash token must be ${TOKEN_BYTES} bytes`);
	const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
	const tokenText = base64urlEncode(token);
	return { header: `1:${easiness}:${timestamp}:${tokenText}`, challenge: { easiness, timestamp, token: Buffer.from(token), tokenText } };
}

function hashAttempt(token: Buffer, prefix: Buffer): number {
	const buffer = Buffer.alloc(4 + TOKEN_BYTES * TOKEN_REPEAT);
	prefix.copy(buffer, 0);
	buffer.fill(token, 4);
	return createHash('sha256').update(buffer).digest().readUInt32BE(0);
}

/**
 * Checks an answer header `1:<token>:<b64 4-byte prefix>` against the challenge (server side).
 * Returns false for a wrong token or an insufficient prefix; throws HashcashHeaderError for a malformed answer.
 */
export function verifyHashcash(challenge: HashcashChallenge | string, answer: string): boolean {
	const expected = toChallenge(challenge);
	if (typeof answer !== 'string') throw new HashcashHeaderError('Missing X-Hashcash answer');
	const parts = answer.trim().split(':');
	if (parts.length !== 3 || parts[0] !== '1') throw new HashcashHeaderError('X-Hashcash answer must be "1:<token>:<prefix>"');
	decodeToken(parts[1]);
	let prefix: Buffer;
	try {
		prefix = base64urlDecode(parts[2], 4);
	} catch (error) {
		if (error instanceof MegaCryptoError) throw new HashcashHeaderError('X-Hashcash prefix must be 4 bytes of base64url');
		throw error;
	}
	if (parts[1] !== expected.tokenText) return false;
	return hashAttempt(expected.token, prefix) <= hashcashThreshold(expected.easiness);
}

/**
 * Solves a challenge on worker threads (each attempt hashes 12 MiB), so the event loop stays free.
 * Resolves to the header value to resend the request with: `1:<token>:<b64 prefix>`.
 */
export function solveHashcash(challenge: HashcashChallenge | string, options: SolveHashcashOptions = {}): Promise<string> {
	let parsed: HashcashChallenge;
	try {
		parsed = toChallenge(challenge);
		options.signal?.throwIfAborted();
	} catch (error) {
		return Promise.reject(error instanceof MegaCryptoError ? error : new HashcashAbortedError('Hashcash solving was aborted', { cause: error }));
	}
	const threshold = hashcashThreshold(parsed.easiness);
	const count = Math.max(1, Math.floor(options.workers ?? Math.min(4, availableParallelism() - 1)));
	const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

	return new Promise<string>((resolve, reject) => {
		const workers: Worker[] = [];
		let exhausted = 0;
		let settled = false;
		const finish = (error: Error | undefined, counter?: number): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			options.signal?.removeEventListener('abort', onAbort);
			for (const worker of workers) void worker.terminate();
			if (error) reject(error);
			else resolve(`1:${parsed.tokenText}:${base64urlEncode(prefixOf(counter as number))}`);
		};
		const onAbort = (): void => finish(new HashcashAbortedError('Hashcash solving was aborted', { cause: options.signal?.reason }));
		const timer = setTimeout(
			() => finish(new HashcashAbortedError(`Hashcash not solved within ${timeoutMs} ms (easiness ${parsed.easiness}); retry later`)),
			timeoutMs,
		);
		options.signal?.addEventListener('abort', onAbort, { once: true });
		for (let index = 0; index < count; index++) {
			const worker = new Worker(HASHCASH_WORKER_SOURCE, {
				eval: true,
				workerData: { token: parsed.token, threshold, start: index + 1, step: count, repeat: TOKEN_REPEAT },
			});
			worker.on('message', (counter: number) => {
				if (counter >= 0) finish(undefined, counter);
				else if (++exhausted === count) finish(new HashcashAbortedError('Hashcash search space exhausted without a solution'));
			});
			worker.on('error', (error) => finish(new HashcashAbortedError('Hashcash worker failed', { cause: error })));
			workers.push(worker);
		}
	});
}
