/**
 * Upload sources. MEGA needs the size before the first byte (`u` with `s`), and a -4 or an expired upload URL means
 * starting again, so the upload works from a re-openable factory. A Buffer is its own factory; a one-shot Readable of
 * unknown size is spooled to a temporary file first (flat memory; the file is removed afterwards).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MegaError } from '../errors';

export type UploadSource = Buffer | (() => Readable | Promise<Readable>) | Readable;

export interface OpenedSource {
	size: number;
	/** Opens the data from its first byte; may be called again after a restart when `restartable`. */
	open(): Promise<Readable>;
	restartable: boolean;
	/** Removes any temporary file. */
	dispose(): Promise<void>;
}

const BUFFER_PIECE = 1024 * 1024;

function bufferReadable(buffer: Buffer): Readable {
	function* pieces(): Generator<Buffer> {
		for (let at = 0; at < buffer.length; at += BUFFER_PIECE) yield buffer.subarray(at, at + BUFFER_PIECE);
	}
	return Readable.from(pieces(), { objectMode: false });
}

export class SourceNotRestartableError extends MegaError {
	constructor() {
		super('The upload had to start again, but its source is a one-shot stream that cannot be re-read', {
			code: 'ESOURCE',
			cause: 'temporarily-unavailable',
			hint: 'Pass a source factory (a function that re-opens the data) or a Buffer, so the upload can restart.',
		});
	}
}

export async function openSource(source: UploadSource, size: number | undefined, signal?: AbortSignal): Promise<OpenedSource> {
	if (Buffer.isBuffer(source)) {
		return { size: source.length, restartable: true, open: async () => bufferReadable(source), dispose: async () => undefined };
	}
	if (typeof source === 'function') {
		if (size === undefined || !Number.isSafeInteger(size) || size < 0) {
			throw new MegaError('An upload from a source factory needs its exact size in bytes', {
				code: 'ESIZE',
				cause: 'bad-request',
				hint: 'Pass `size` with the factory, or pass the stream itself to have it measured first.',
			});
		}
		return { size, restartable: true, open: async () => await source(), dispose: async () => undefined };
	}
	if (source instanceof Readable) {
		if (size !== undefined) {
			let used = false;
			return {
				size,
				restartable: false,
				open: async () => {
					if (used) throw new SourceNotRestartableError();
					used = true;
					return source;
				},
				dispose: async () => undefined,
			};
		}
		return spool(source, signal);
	}
	throw new MegaError('Unsupported upload source: pass a Buffer, a Readable, or a function returning a Readable', {
		code: 'ESOURCE',
		cause: 'bad-request',
	});
}

async function spool(stream: Readable, signal?: AbortSignal): Promise<OpenedSource> {
	const dir = await mkdtemp(join(tmpdir(), 'mega-upload-'));
	const file = join(dir, 'spool');
	try {
		await pipeline(stream, createWriteStream(file), { signal });
		const { size } = await stat(file);
		return {
			size,
			restartable: true,
			open: async () => createReadStream(file, { highWaterMark: BUFFER_PIECE }),
			dispose: () => rm(dir, { recursive: true, force: true }),
		};
	} catch (error) {
		await rm(dir, { recursive: true, force: true });
		throw error;
	}
}
