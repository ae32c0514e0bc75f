/**
 * One transfer per fresh process (run through test/support/run-in-child.ts), so each figure gets a clean heap and
 * its own peak-RSS measurement. Sources are generated (a random 8 MiB pattern), sinks count bytes.
 */
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MegaApiTransport } from '../core/mega/api/transport';
import { login } from '../core/mega/session';
import { openDownload, uploadFile } from '../core/mega/transfer';

const MIB = 1024 * 1024;

export interface OpInput {
	gateway: string;
	email: string;
	password: string;
	rootHandle: string;
	size: number;
	handle?: string;
	/** b64url 32-byte node key (ours) */
	key?: string;
}

export interface OpResult {
	ms: number;
	handle?: string;
	key?: string;
}

/** `size` bytes of a repeated 8 MiB random pattern, in 1 MiB chunks (made on the fly: nothing the size of the file). */
export function patternStream(size: number): Readable {
	const pattern = randomBytes(8 * MIB);
	function* gen(): Generator<Buffer> {
		for (let at = 0; at < size; at += MIB) {
			const from = at % pattern.length;
			yield pattern.subarray(from, from + Math.min(MIB, size - at));
		}
	}
	return Readable.from(gen(), { objectMode: false });
}

function countingSink(): Writable & { bytes: number } {
	const sink = new Writable({
		highWaterMark: 4 * MIB,
		write(chunk: Buffer, _encoding, callback) {
			sink.bytes += chunk.length;
			callback();
		},
	}) as Writable & { bytes: number };
	sink.bytes = 0;
	return sink;
}

async function ourSession(input: OpInput): Promise<{ api: MegaApiTransport; masterKey: Buffer }> {
	const api = new MegaApiTransport({ gateway: input.gateway });
	const session = await login(api, { kind: 'password', email: input.email, password: input.password });
	return { api, masterKey: session.masterKey };
}

export async function oursUpload(input: OpInput): Promise<OpResult> {
	const { api, masterKey } = await ourSession(input);
	const started = performance.now();
	const result = await uploadFile(api, {
		parentHandle: input.rootHandle,
		name: `ours-${input.size}.bin`,
		source: () => patternStream(input.size),
		size: input.size,
		masterKey,
	});
	return { ms: performance.now() - started, handle: result.handle, key: result.nodeKey.toString('base64url') };
}

export async function oursDownload(input: OpInput): Promise<OpResult> {
	const { api } = await ourSession(input);
	const started = performance.now();
	const stream = await openDownload(api, { source: { handle: input.handle as string }, key: Buffer.from(input.key as string, 'base64url') });
	const sink = countingSink();
	await pipeline(stream, sink);
	if (sink.bytes !== input.size) throw new Error(`downloaded ${sink.bytes} of ${input.size} bytes`);
	return { ms: performance.now() - started };
}

/** One connection, one 16 MiB request: what a single connection of this (throttled) sandbox really delivers. */
export async function oneConnection(input: OpInput): Promise<OpResult> {
	const { api } = await ourSession(input);
	const bytes = 16 * MIB;
	const started = performance.now();
	const stream = await openDownload(api, {
		source: { handle: input.handle as string },
		key: Buffer.from(input.key as string, 'base64url'),
		range: { start: 0, end: bytes - 1 },
		concurrency: 1,
		requestBytes: bytes,
	});
	await pipeline(stream, countingSink());
	return { ms: performance.now() - started };
}

interface MegajsModule {
	Storage: new (options: Record<string, unknown>) => {
		ready: Promise<unknown>;
		api: { on(event: string, listener: () => void): void };
		files: Record<string, { download(options: Record<string, unknown>): Readable }>;
		upload(options: Record<string, unknown>): Writable & { complete: Promise<{ nodeId?: string }> };
		close(): Promise<void>;
	};
}

async function megajsStorage(input: OpInput) {
	const mega = (await import('megajs')) as unknown as MegajsModule;
	const storage = new mega.Storage({ email: input.email, password: input.password, gateway: input.gateway, keepalive: false });
	storage.api.on('error', () => undefined);
	await storage.ready;
	return storage;
}

export async function megajsUpload(input: OpInput): Promise<OpResult> {
	const storage = await megajsStorage(input);
	const started = performance.now();
	const upload = storage.upload({ name: `megajs-${input.size}.bin`, size: input.size });
	patternStream(input.size).pipe(upload);
	const file = await upload.complete;
	const ms = performance.now() - started;
	await storage.close().catch(() => undefined);
	return { ms, handle: file.nodeId };
}

export async function megajsDownload(input: OpInput): Promise<OpResult> {
	const storage = await megajsStorage(input);
	const file = storage.files[input.handle as string];
	if (!file) throw new Error('megajs does not see the file');
	const started = performance.now();
	const sink = countingSink();
	await pipeline(file.download({}), sink);
	const ms = performance.now() - started;
	if (sink.bytes !== input.size) throw new Error(`megajs downloaded ${sink.bytes} of ${input.size} bytes`);
	await storage.close().catch(() => undefined);
	return { ms };
}
