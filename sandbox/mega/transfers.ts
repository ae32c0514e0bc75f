import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { chunkIndexAt, chunkStart } from '../../core/mega/crypto';
import type { BlobStore } from './blob-store';
import { destroyAfterFlush, throttle, type FaultDecision } from './faults';
import type { Store } from './store';
import { b64, randomToken, unb64 } from './util';

/**
 * The completion token's form, fixed by the `u` request that made the upload URL: `v` >= 2 → 36 binary bytes ending
 * in 0x01 (sent to `p` as base64url, 48 characters); no `v` → base64 text of 27 bytes (36 characters), which the
 * client passes to `p` verbatim (mega.py, go-mega/rclone). `p` accepts each form only as it was issued.
 */
export type CompletionTokenForm = 'binary' | 'text';

interface UploadSession {
	token: string;
	tokenForm: CompletionTokenForm;
	userHandle: string;
	size: number;
	blobId: string;
	/** Sorted, merged [start, end) ranges received so far. */
	covered: Array<[number, number]>;
	completionToken?: string;
	created: number;
}

export interface CompletionRecord {
	form: CompletionTokenForm;
	blobId: string;
	size: number;
	userHandle: string;
	used: boolean;
}

interface DownloadTicket {
	blobId: string;
	size: number;
	/** Account whose transfer quota this download uses (the requesting session's account, if any). */
	chargeTo?: string;
}

const MAX_TICKETS = 100_000;

function isChunkBoundary(offset: number): boolean {
	return chunkStart(chunkIndexAt(offset)) === offset;
}

function mergeRange(ranges: Array<[number, number]>, start: number, end: number): Array<[number, number]> {
	const all = [...ranges, [start, end] as [number, number]].sort((x, y) => x[0] - y[0]);
	const merged: Array<[number, number]> = [];
	for (const [s, e] of all) {
		const last = merged[merged.length - 1];
		if (last && s <= last[1]) last[1] = Math.max(last[1], e);
		else merged.push([s, e]);
	}
	return merged;
}

/** The optional `c`/`d` upload checksum: every body byte XOR-ed into 12 bytes at index i mod 12. */
function checksumTransform(sum: Buffer): Transform {
	let position = 0;
	return new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			for (let i = 0; i < chunk.length; i++) sum[(position + i) % 12] ^= chunk[i];
			position += chunk.length;
			callback(null, chunk);
		},
	});
}

function sendText(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'Content-Type': 'application/octet-stream', 'Content-Length': Buffer.byteLength(body), 'Access-Control-Allow-Origin': '*', ...headers });
	res.end(body);
}

/** Upload URLs (`u`) with their chunk POSTs, completion tokens (`p` with `h`), and download URLs (`g`). */
export class TransferRegistry {
	private readonly uploads = new Map<string, UploadSession>();
	private readonly completions = new Map<string, CompletionRecord>();
	private readonly tickets = new Map<string, DownloadTicket>();

	constructor(
		private readonly blobs: BlobStore,
		private readonly store: Store,
	) {}

	createUpload(userHandle: string, size: number, tokenForm: CompletionTokenForm = 'binary'): string {
		const token = randomToken(24);
		const blobId = this.blobs.create(size);
		this.uploads.set(token, { token, tokenForm, userHandle, size, blobId, covered: [], created: Date.now() });
		return token;
	}

	peekCompletion(tokenText: string, userHandle: string): CompletionRecord | undefined {
		const record = this.completions.get(tokenText);
		return record && !record.used && record.userHandle === userHandle ? record : undefined;
	}

	/** The completion token, single-use input of `p`. */
	takeCompletion(tokenText: string, userHandle: string): CompletionRecord | undefined {
		const record = this.completions.get(tokenText);
		if (!record || record.used || record.userHandle !== userHandle) return undefined;
		record.used = true;
		this.completions.delete(tokenText);
		return record;
	}

	/** The completion token as `p` must send it back (base64url of the binary token, or the text token itself). */
	private complete(upload: UploadSession): string {
		if (!upload.completionToken) {
			if (upload.tokenForm === 'text') {
				upload.completionToken = randomBytes(27).toString('base64url');
			} else {
				const token = randomBytes(36);
				token[35] = 0x01;
				upload.completionToken = b64(token);
			}
			this.completions.set(upload.completionToken, { form: upload.tokenForm, blobId: upload.blobId, size: upload.size, userHandle: upload.userHandle, used: false });
		}
		return upload.completionToken;
	}

	/** The body of the POST that completes an upload: the binary token's bytes, or the text token. */
	private completionBody(upload: UploadSession, completion: string): Buffer {
		return upload.tokenForm === 'text' ? Buffer.from(completion, 'latin1') : unb64(completion);
	}

	/** Server-side shortcut for the provisioning helper: store ciphertext as one finished upload. */
	async storeCiphertext(userHandle: string, ciphertext: Buffer): Promise<string> {
		const token = this.createUpload(userHandle, ciphertext.length);
		const upload = this.uploads.get(token) as UploadSession;
		await this.blobs.writeBuffer(upload.blobId, 0, ciphertext);
		upload.covered = [[0, ciphertext.length]];
		const completion = this.complete(upload);
		this.uploads.delete(token);
		return completion;
	}

	/** Many finished 0-byte uploads sharing one empty blob (bulk trees for benchmarks). */
	emptyCompletions(userHandle: string, count: number): string[] {
		const blobId = this.blobs.create(0);
		const tokens: string[] = [];
		for (let i = 0; i < count; i++) {
			const token = randomBytes(36);
			token[35] = 0x01;
			const text = b64(token);
			this.completions.set(text, { form: 'binary', blobId, size: 0, userHandle, used: false });
			tokens.push(text);
		}
		return tokens;
	}

	createDownload(blobId: string, size: number, chargeTo?: string): string {
		const token = randomToken(24);
		if (this.tickets.size >= MAX_TICKETS) {
			const oldest = this.tickets.keys().next().value;
			if (oldest !== undefined) this.tickets.delete(oldest);
		}
		this.tickets.set(token, { blobId, size, chargeTo });
		return token;
	}

	async handleUpload(req: IncomingMessage, res: ServerResponse, token: string, offsetText: string, query: URLSearchParams, decision: FaultDecision): Promise<void> {
		// The connection, kept for the drop fault and the bandwidth cap (`res.socket` is detached once a response ends).
		const socket = req.socket;
		const upload = this.uploads.get(token);
		const fault = decision.fault;
		const source: Readable = decision.bytesPerSecond ? req.pipe(throttle(socket, decision.bytesPerSecond)) : req;
		if (fault?.kind === 'drop') {
			await dropAfterReading(req, socket, source, fault.afterBytes);
			return;
		}
		if (fault?.kind === 'http') return this.reject(req, res, fault.status, '', fault.headers);
		if (fault?.kind === 'error') return this.reject(req, res, 200, String(fault.code));
		if (!upload) return this.reject(req, res, 200, '-8');
		if (!/^\d+$/.test(offsetText)) return this.reject(req, res, 200, '-7');
		const offset = Number(offsetText);
		const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
		const aligned = (end: number): boolean =>
			(upload.size === 0 ? offset === 0 && end === 0 : offset < upload.size && isChunkBoundary(offset) && end > offset && (end === upload.size || (end < upload.size && isChunkBoundary(end))));
		if (declared !== undefined && !aligned(offset + declared)) return this.reject(req, res, 200, '-7');

		const checksumParam = query.get('d') ?? query.get('c');
		const checksum = Buffer.alloc(12);
		let body: Readable = source;
		if (checksumParam !== null) body = source.pipe(checksumTransform(checksum));
		let written: number;
		if (declared === undefined) {
			// Chunked body: read it first, then check where it ends before it touches the blob.
			const parts: Buffer[] = [];
			for await (const chunk of body) parts.push(chunk as Buffer);
			const data = Buffer.concat(parts);
			if (!aligned(offset + data.length)) return sendText(res, 200, '-7');
			if (data.length > 0) await this.blobs.writeBuffer(upload.blobId, offset, data);
			written = data.length;
		} else {
			try {
				written = declared === 0 ? 0 : await this.blobs.write(upload.blobId, offset, body);
			} catch {
				// The client went away mid-body: nothing of this request counts.
				return;
			}
			if (declared === 0) await drain(body);
			if (written !== declared) return sendText(res, 200, '-7');
		}
		if (checksumParam !== null && !unb64(checksumParam).equals(checksum)) return sendText(res, 200, '-14');
		if (written > 0) upload.covered = mergeRange(upload.covered, offset, offset + written);
		const done = upload.size === 0 || (upload.covered.length === 1 && upload.covered[0][0] === 0 && upload.covered[0][1] >= upload.size);
		if (done) {
			const completion = this.complete(upload);
			return sendText(res, 200, this.completionBody(upload, completion));
		}
		// An intermediate chunk gets an empty body; only the `d=` dialect confirms with "0" (megajs would take "0" as a token).
		sendText(res, 200, query.get('d') !== null ? '0' : '');
	}

	private reject(req: IncomingMessage, res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
		sendText(res, status, body, headers);
		req.resume();
	}

	async handleDownload(req: IncomingMessage, res: ServerResponse, token: string, rangeText: string | undefined, decision: FaultDecision): Promise<void> {
		// The connection, kept for the drop fault and the bandwidth cap (`res.socket` is detached once a response ends).
		const socket = req.socket;
		req.resume();
		const ticket = this.tickets.get(token);
		if (!ticket) return sendText(res, 404, '');
		let start = 0;
		let end = ticket.size - 1;
		if (rangeText !== undefined) {
			const match = /^(\d+)-(\d+)$/.exec(rangeText);
			if (!match) return sendText(res, 416, '');
			start = Number(match[1]);
			end = Math.min(Number(match[2]), ticket.size - 1);
			if (start > end) return sendText(res, 416, '');
		}
		const length = Math.max(0, end - start + 1);
		const fault = decision.fault;
		if (fault?.kind === 'http') return sendText(res, fault.status, '', fault.headers);
		if (fault?.kind === 'quota509') return sendText(res, 509, '', { 'X-MEGA-Time-Left': String(fault.timeLeft) });
		const account = ticket.chargeTo ? this.store.accounts.get(ticket.chargeTo) : undefined;
		if (account) {
			if (account.transferUsed + length > account.transferMax) {
				return sendText(res, 509, '', { 'X-MEGA-Time-Left': String(account.transferResetSeconds) });
			}
			account.transferUsed += length;
		}
		// Headers, then `afterBytes` (default half) of the body, then the TCP connection is destroyed.
		if (fault?.kind === 'drop') {
			const keep = Math.min(length - 1, Math.max(0, fault.afterBytes ?? Math.floor(length / 2)));
			res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(length), 'Access-Control-Allow-Origin': '*' });
			res.flushHeaders();
			if (keep > 0) {
				const kept: Readable[] = [this.blobs.read(ticket.blobId, start, start + keep - 1)];
				if (decision.bytesPerSecond) kept.push(throttle(socket, decision.bytesPerSecond));
				try {
					await pipeline([...kept, res], { end: false });
				} catch {
					// the client went away first
				}
			}
			await destroyAfterFlush(socket);
			return;
		}
		let bodyLength = length;
		if (fault?.kind === 'truncate') bodyLength = Math.min(length, Math.max(0, fault.keepBytes ?? Math.floor(length / 2)));
		res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bodyLength), 'Access-Control-Allow-Origin': '*' });
		if (bodyLength === 0) {
			res.end();
			return;
		}
		let stream: Readable = this.blobs.read(ticket.blobId, start, start + bodyLength - 1);
		if (fault?.kind === 'flip') stream = stream.pipe(flipByte(Math.min(bodyLength - 1, Math.max(0, fault.at ?? Math.floor(bodyLength / 2)))));
		if (decision.bytesPerSecond) stream = stream.pipe(throttle(socket, decision.bytesPerSecond));
		try {
			await pipeline(stream, res);
		} catch {
			// client closed the connection
		}
	}
}

function flipByte(at: number): Transform {
	let position = 0;
	return new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			if (at >= position && at < position + chunk.length) {
				const copy = Buffer.from(chunk);
				copy[at - position] ^= 0x01;
				chunk = copy;
			}
			position += chunk.length;
			callback(null, chunk);
		},
	});
}

async function drain(stream: Readable): Promise<void> {
	for await (const _chunk of stream) {
		// discard
	}
}

/**
 * Reads `afterBytes` (default: half of the declared body) of a request, then destroys the TCP connection (the
 * client, still sending, sees a reset at once). Nothing of the request is stored.
 */
async function dropAfterReading(req: IncomingMessage, socket: Socket, source: Readable, afterBytes?: number): Promise<void> {
	const declared = Number(req.headers['content-length'] ?? 0);
	const limit = afterBytes ?? Math.floor(declared / 2);
	if (limit <= 0) {
		socket.destroy();
		return;
	}
	let seen = 0;
	await new Promise<void>((resolve) => {
		const cut = (): void => {
			socket.destroy();
			resolve();
		};
		source.on('data', (chunk: Buffer) => {
			seen += chunk.length;
			if (seen >= limit) cut();
		});
		source.on('end', cut);
		source.on('error', cut);
		socket.once('close', () => resolve());
	});
}
