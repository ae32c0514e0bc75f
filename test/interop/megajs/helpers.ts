import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import { API, Storage, type MutableFile } from 'megajs';

/**
 * megajs against the sandbox: every storage gets an error listener (a failing `sc` poll would otherwise become an
 * unhandled rejection, which jest turns into a failed test) and is closed at the end.
 */
export interface OpenedStorage {
	storage: Storage;
	errors: Error[];
}

const opened: Storage[] = [];

export async function openStorage(gateway: string, email: string, password: string, extra: { secondFactorCode?: string; keepalive?: boolean } = {}): Promise<OpenedStorage> {
	const errors: Error[] = [];
	const storage = new Storage({ email, password, gateway, ...extra });
	storage.api.on('error', (error: Error) => errors.push(error));
	(storage as EventEmitter).on('error', (error: Error) => errors.push(error));
	opened.push(storage);
	await storage.ready;
	return { storage, errors };
}

/** megajs downloads the files of a folder link through its global API: point that at the sandbox too. */
export function useSandboxGlobalApi(gateway: string): API {
	const api = new API(false, { gateway });
	api.on('error', () => undefined);
	API.globalApi = api;
	return api;
}

export async function closeAll(): Promise<void> {
	await Promise.all(
		opened.splice(0).map(async (storage) => {
			try {
				await storage.close();
			} catch {
				// a storage whose session the test killed cannot log out; it is closed anyway
			}
		}),
	);
	API.globalApi = undefined;
}

export function waitForEvent<T extends unknown[]>(emitter: { once(event: string, listener: (...args: T) => void): unknown }, event: string, timeoutMs = 20_000): Promise<T> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no '${event}' event within ${timeoutMs} ms`)), timeoutMs);
		emitter.once(event, (...args: T) => {
			clearTimeout(timer);
			resolve(args);
		});
	});
}

/** megajs's typings give MutableFile.upload a plain Writable; the stream it returns has `complete` like Storage.upload's. */
export function completed(stream: Writable): Promise<MutableFile> {
	return (stream as Writable & { complete: Promise<MutableFile> }).complete;
}
