/**
 * The wording of each error class a workflow user can meet, once each: the operation is named in the user's terms
 * (not MEGA's command letter, which stays in the code for support), the hint fits what was done, waits read as a
 * person would say them, and the incomplete-download error says which bytes of which file. No snapshots: the
 * important parts are asserted.
 */
import { Readable } from 'node:stream';

import { MegaClient, forgetLiveTrees, openPublicFolder } from '../../../core/mega/client';
import { MegaApiError, MegaError, MegaRetryExhaustedError, MegaWriteOutcomeUnknownError } from '../../../core/mega/errors';
import { clearSessionCache } from '../../../core/mega/session';
import { TransferIntegrityError, TransferQuotaError } from '../../../core/mega/transfer';
import { describeWait } from '../../../core/mega/transfer/errors';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';

let sandbox: MegaSandbox;
let client: MegaClient;
const email = 'wording@errors.test';
const fast = { baseDelayMs: 2, maxDelayMs: 5, maxRetries: 2, maxTotalMs: 5_000 };
const data = Buffer.from('figures for the fourth quarter\n'.repeat(40));

beforeAll(async () => {
	sandbox = await startMegaSandbox({ port: 0, waitTimeoutMs: 1_000 });
	await sandbox.createAccount({ email, password: 'wording-password', version: 2 });
	clearSessionCache();
	forgetLiveTrees();
	client = await MegaClient.connect({ kind: 'password', email, password: 'wording-password' }, { gateway: sandbox.gateway, retry: fast });
	const reports = await client.mkdir('/Reports');
	await client.upload({ parent: reports.handle, name: 'q4.pdf', source: data });
});

afterAll(async () => {
	await sandbox.close();
});

afterEach(() => {
	sandbox.faults.clear();
});

async function failure(work: () => Promise<unknown>): Promise<MegaError> {
	const error = await work().then(
		() => undefined,
		(thrown: unknown) => thrown,
	);
	expect(error).toBeInstanceOf(MegaError);
	return error as MegaError;
}

async function drain(stream: Readable): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const part of stream) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

describe('errors name the operation, keep the code, and hint at a fix that fits', () => {
	it('a MEGA error number on a download (EACCESS on g): the file, not the command letter; a reading hint', async () => {
		sandbox.faults.add({ kind: 'error', code: -11, scope: 'command', endpoint: 'cs', command: 'g' });
		const error = await failure(() => client.download('/Reports/q4.pdf'));
		expect(error).toBeInstanceOf(MegaApiError);
		expect(error.message).toContain('Access denied by MEGA while downloading "/Reports/q4.pdf"');
		expect(error.message).toContain('EACCESS -11');
		expect(error.message).not.toContain('(g)');
		expect(error.hint).toMatch(/read/);
		expect(error.hint).not.toMatch(/change/);
	});

	it('a MEGA error number on a write (EINTERNAL on a): "while renaming … to …"', async () => {
		sandbox.faults.add({ kind: 'error', code: -1, scope: 'command', endpoint: 'cs', command: 'a' });
		const file = await client.info('/Reports/q4.pdf');
		const error = await failure(() => client.rename(file.handle, 'q4-final.pdf'));
		expect(error.message).toBe('MEGA reported an internal error while renaming "/Reports/q4.pdf" to "q4-final.pdf" [EINTERNAL -1, command a]');
	});

	it('an upload refused at the start (EINTERNAL on u) names the upload and its folder', async () => {
		sandbox.faults.add({ kind: 'error', code: -1, scope: 'command', endpoint: 'cs', command: 'u' });
		const error = await failure(() => client.upload({ parent: '/Reports', name: 'q1.pdf', source: Buffer.from('x') }));
		expect(error.message).toContain('while uploading "q1.pdf" into "/Reports"');
		expect(error.message).toContain('EINTERNAL -1');
	});

	it('retries that ran out say so after naming the operation (EAGAIN on m)', async () => {
		sandbox.faults.add({ kind: 'error', code: -3, endpoint: 'cs', command: 'm', count: 100 });
		await client.mkdir('/Archive');
		const error = await failure(() => client.move('/Reports/q4.pdf', '/Archive'));
		expect(error).toBeInstanceOf(MegaRetryExhaustedError);
		expect(error.message).toMatch(/^MEGA is temporarily busy and asked to retry while moving "\/Reports\/q4.pdf" to "\/Archive" \[EAGAIN -3, command m\]; gave up after 3 attempts$/);
	});

	it('an ended session on an anonymous folder-link session does not say "log in again"', async () => {
		const folder = await client.createLink('/Reports');
		sandbox.faults.add({ kind: 'error', code: -15, endpoint: 'cs', command: 'f' });
		const error = await failure(() => openPublicFolder(folder.url, { gateway: sandbox.gateway, retry: fast }));
		expect(error.message).toContain('while opening a public folder link');
		expect(error.hint).toMatch(/link/);
		expect(error.hint).not.toMatch(/log in/i);
		expect(error.message).not.toContain(folder.url.split('#')[1]);
	});

	it('waits read as a person says them: 1 second, seconds, minutes over a minute, hours', () => {
		expect(describeWait(1)).toBe('1 second');
		expect(describeWait(45)).toBe('45 seconds');
		expect(describeWait(60)).toBe('1 minute');
		expect(describeWait(61)).toBe('2 minutes');
		expect(describeWait(3600)).toBe('1 hour');
		expect(describeWait(3900)).toBe('1 hour 5 minutes');
		expect(new TransferQuotaError(1).message).toBe("MEGA's transfer quota is exhausted; transfers can resume in about 1 second");
	});

	it('a transfer quota stop during a download names the file and the wait in minutes', async () => {
		sandbox.faults.add({ kind: 'quota509', timeLeft: 150, endpoint: 'download', count: 1 });
		const stream = await client.download('/Reports/q4.pdf');
		const error = await failure(() => drain(stream));
		expect(error).toBeInstanceOf(TransferQuotaError);
		expect(error.message).toContain('in about 3 minutes');
		expect(error.message).toContain('while downloading "/Reports/q4.pdf"');
	});

	it('a download the storage server keeps cutting short says which bytes of which file, and what to do', async () => {
		sandbox.faults.add({ kind: 'truncate', keepBytes: 8, endpoint: 'download', count: 100 });
		const stream = await client.download('/Reports/q4.pdf', { maxRangeRetries: 1 });
		const error = await failure(() => drain(stream));
		expect(error).toBeInstanceOf(TransferIntegrityError);
		expect(error.message).toContain(`bytes 0–${data.length - 1}`);
		expect(error.message).toContain(`got 8 of them`);
		expect(error.message).toContain('while downloading "/Reports/q4.pdf"');
		expect(error.message).not.toMatch(/range \d/);
		expect(error.hint).toMatch(/again/);
	});

	it('a change whose outcome cannot be known says so and what to check', () => {
		const error = new MegaWriteOutcomeUnknownError(['a']).withinOperation('renaming "/a.txt" to "b.txt"');
		expect(error.message).toBe('The connection to MEGA was lost while renaming "/a.txt" to "b.txt" and the session ended; MEGA may or may not have applied the change');
		expect(error.hint).toMatch(/Check the item/);
		expect(error.retryable).toBe(false);
	});

	it('errors about the input keep their own words (a missing path is not "while …")', async () => {
		const error = await failure(() => client.rename('/Nope/x.txt', 'y.txt'));
		expect(error.message).not.toContain('while');
		expect(error.message).toContain('/Nope');
	});
});
