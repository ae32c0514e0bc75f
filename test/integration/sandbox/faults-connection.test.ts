/**
 * The connection-level faults as a client feels them: `drop` really ends the TCP connection (also a keep-alive one)
 * right after the kept bytes, and `bandwidth` paces one connection at its cap, neither slower nor faster.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { burstBytes } from '../../../sandbox/mega/faults';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { call, downloadUrl, fetchTree, rawLogin, rootOf, uploadFile, type RawSession } from './helpers';

const MB = 1_000_000;

interface Outcome {
	status: number;
	headers: IncomingHttpHeaders;
	bytes: number;
	/** The response ended with every byte it announced. */
	complete: boolean;
	/** 'aborted', an error message, or undefined for a clean end. */
	failure?: string;
	/** ms from the moment the last byte arrived (or the request was sent, when none did) to the failure or end. */
	afterLastByteMs: number;
	/** ms from sending the request to its end. */
	totalMs: number;
	firstByteAt?: number;
	lastByteAt?: number;
	reusedSocket: boolean;
}

/** One plain node:http request through `agent`, reporting how and when it ended. */
function exchange(url: string, agent: Agent, options: { method?: string; body?: Buffer } = {}): Promise<Outcome> {
	return new Promise((resolve) => {
		const sent = performance.now();
		let lastEventAt = sent;
		let bytes = 0;
		let settled = false;
		let status = 0;
		let headers: IncomingHttpHeaders = {};
		let firstByteAt: number | undefined;
		let complete = false;
		const req = request(url, { method: options.method ?? 'GET', agent, headers: options.body ? { 'Content-Length': options.body.length } : {} });
		const settle = (failure?: string): void => {
			if (settled) return;
			settled = true;
			const now = performance.now();
			resolve({
				status,
				headers,
				bytes,
				complete,
				failure,
				afterLastByteMs: now - lastEventAt,
				totalMs: now - sent,
				firstByteAt: firstByteAt === undefined ? undefined : firstByteAt - sent,
				lastByteAt: bytes > 0 ? lastEventAt - sent : undefined,
				reusedSocket: req.reusedSocket,
			});
		};
		req.on('response', (res) => {
			status = res.statusCode ?? 0;
			headers = res.headers;
			res.on('data', (chunk: Buffer) => {
				lastEventAt = performance.now();
				firstByteAt ??= lastEventAt;
				bytes += chunk.length;
			});
			res.on('aborted', () => settle('aborted'));
			res.on('error', (error) => settle(error.message));
			res.on('end', () => {
				complete = res.complete;
				settle(res.complete ? undefined : 'incomplete');
			});
			res.on('close', () => settle(res.complete ? undefined : 'closed'));
		});
		req.on('error', (error) => settle(error.message));
		req.end(options.body);
	});
}

describe('sandbox connection faults (drop, bandwidth) as a plain node:http client sees them', () => {
	let sandbox: MegaSandbox;
	let session: RawSession;
	let root: string;
	let agent: Agent;
	let fileG: string;
	const fileSize = 8 * MB;

	beforeAll(async () => {
		sandbox = await startMegaSandbox();
		await sandbox.createAccount({ email: 'links@test.local', password: 'links-password' });
		session = await rawLogin(sandbox.gateway, 'links@test.local', 'links-password');
		root = rootOf(await fetchTree(sandbox.gateway, session), 2);
		const { node } = await uploadFile(sandbox.gateway, session, root, 'paced.bin', randomBytes(fileSize));
		fileG = (await downloadUrl(sandbox.gateway, { n: node.h }, { sid: session.sid })).g;
	});
	beforeEach(() => {
		agent = new Agent({ keepAlive: true, maxSockets: 1 });
	});
	afterEach(() => {
		agent.destroy();
		sandbox.faults.clear();
	});
	afterAll(() => sandbox.close());

	describe('drop', () => {
		it('cuts a keep-alive download right after afterBytes: the client sees the connection end at once, not an idle body', async () => {
			// Warm the keep-alive connection, so the drop hits a reused socket (the case a detached res.socket broke).
			expect((await exchange(`${fileG}/0-1023`, agent)).complete).toBe(true);
			sandbox.faults.add({ kind: 'drop', endpoint: 'download', afterBytes: 100_000 });
			const dropped = await exchange(`${fileG}/0-1048575`, agent);
			expect(dropped.reusedSocket).toBe(true);
			expect(dropped.status).toBe(200);
			expect(dropped.headers['content-length']).toBe('1048576');
			expect(dropped.bytes).toBe(100_000);
			expect(dropped.complete).toBe(false);
			expect(dropped.failure).toBeDefined();
			expect(dropped.afterLastByteMs).toBeLessThan(1_000);
			// The dead socket is not handed out again: the next request gets a whole body.
			const next = await exchange(`${fileG}/0-1048575`, agent);
			expect(next.complete).toBe(true);
			expect(next.bytes).toBe(1_048_576);
		});

		it('cuts a download after its headers when afterBytes is 0, and by default after half the body', async () => {
			sandbox.faults.add({ kind: 'drop', endpoint: 'download', afterBytes: 0 });
			const headersOnly = await exchange(`${fileG}/0-131071`, agent);
			expect(headersOnly.status).toBe(200);
			expect(headersOnly.bytes).toBe(0);
			expect(headersOnly.failure).toBeDefined();
			expect(headersOnly.totalMs).toBeLessThan(1_000);
			sandbox.faults.add({ kind: 'drop', endpoint: 'download' });
			const half = await exchange(`${fileG}/0-131071`, agent);
			expect(half.bytes).toBe(65_536);
			expect(half.failure).toBeDefined();
			expect(half.afterLastByteMs).toBeLessThan(1_000);
		});

		it('cuts a throttled download too (drop and bandwidth together)', async () => {
			sandbox.faults.add({ kind: 'bandwidth', bytesPerSecond: 2 * MB, endpoint: 'download' });
			sandbox.faults.add({ kind: 'drop', endpoint: 'download', afterBytes: 300_000 });
			const dropped = await exchange(`${fileG}/0-1048575`, agent);
			expect(dropped.bytes).toBe(300_000);
			expect(dropped.failure).toBeDefined();
			expect(dropped.afterLastByteMs).toBeLessThan(1_000);
		});

		it('cuts a keep-alive cs reply mid-body (after applying the request)', async () => {
			expect((await exchange(`${sandbox.gateway}cs?id=w1&sid=${session.sid}`, agent, { method: 'POST', body: Buffer.from('[{"a":"ug"}]') })).complete).toBe(true);
			sandbox.faults.add({ kind: 'drop', endpoint: 'cs', afterBytes: 5 });
			const dropped = await exchange(`${sandbox.gateway}cs?id=w2&sid=${session.sid}`, agent, { method: 'POST', body: Buffer.from('[{"a":"ug"}]') });
			expect(dropped.reusedSocket).toBe(true);
			expect(dropped.status).toBe(200);
			expect(dropped.bytes).toBe(5);
			expect(Number(dropped.headers['content-length'])).toBeGreaterThan(5);
			expect(dropped.failure).toBeDefined();
			expect(dropped.afterLastByteMs).toBeLessThan(1_000);
		});

		it('resets an upload connection after reading afterBytes of the body', async () => {
			const { p } = await call<{ p: string }>(sandbox.gateway, { a: 'u', s: 2 * MB, ssl: 0, v: 2 }, { sid: session.sid });
			sandbox.faults.add({ kind: 'drop', endpoint: 'upload', afterBytes: 64 * 1024 });
			const dropped = await exchange(`${p}/0`, agent, { method: 'POST', body: randomBytes(2 * MB) });
			expect(dropped.status).toBe(0);
			expect(dropped.failure).toMatch(/ECONNRESET|EPIPE|socket hang up/);
			expect(dropped.totalMs).toBeLessThan(1_000);
		});
	});

	describe('bandwidth', () => {
		const cap = 10 * MB;
		/**
		 * The best rate of up to three tries, stopping at the first that reaches `enough`. Only "not slower than the cap"
		 * needs this: a busy machine (other test workers on two cores) can starve the reading client for a moment, which
		 * slows one try, while a pacing defect (the lost 9 % this test once caught) slows every try alike. "Never faster"
		 * is checked on every try.
		 */
		const bestRate = async (enough: number, measure: () => Promise<number>): Promise<number> => {
			let best = 0;
			for (let attempt = 0; attempt < 3 && best < enough; attempt++) best = Math.max(best, await measure());
			return best;
		};

		it(`delivers one download connection at its cap (within 3 %) over ${fileSize / MB} MB`, async () => {
			sandbox.faults.add({ kind: 'bandwidth', bytesPerSecond: cap, endpoint: 'download' });
			const rate = await bestRate(0.97 * cap, async () => {
				const got = await exchange(`${fileG}/0-${fileSize - 1}`, agent);
				expect(got.complete).toBe(true);
				expect(got.bytes).toBe(fileSize);
				// Never faster than the cap plus one burst, on every try.
				expect(got.totalMs).toBeGreaterThanOrEqual(((fileSize - burstBytes(cap)) / cap) * 1000 - 1);
				return got.bytes / (got.totalMs / 1000);
			});
			expect(rate / cap).toBeGreaterThanOrEqual(0.97);
			expect(rate / cap).toBeLessThanOrEqual(1.03);
		});

		it(`reads one upload connection's body at its cap (within 3 %) over ${fileSize / MB} MB`, async () => {
			sandbox.faults.add({ kind: 'bandwidth', bytesPerSecond: cap, endpoint: 'upload' });
			const rate = await bestRate(0.97 * cap, async () => {
				const { p } = await call<{ p: string }>(sandbox.gateway, { a: 'u', s: fileSize, ssl: 0, v: 2 }, { sid: session.sid });
				const sent = await exchange(`${p}/0`, agent, { method: 'POST', body: randomBytes(fileSize) });
				expect(sent.status).toBe(200);
				expect(sent.bytes).toBe(36); // the completion token: the server read every byte
				expect(sent.totalMs).toBeGreaterThanOrEqual(((fileSize - burstBytes(cap)) / cap) * 1000 - 1);
				return fileSize / (sent.totalMs / 1000);
			});
			expect(rate / cap).toBeGreaterThanOrEqual(0.97);
			expect(rate / cap).toBeLessThanOrEqual(1.03);
		});

		it('caps each connection separately: two connections at once each get the cap', async () => {
			sandbox.faults.add({ kind: 'bandwidth', bytesPerSecond: cap / 2, endpoint: 'download' });
			const twoSockets = new Agent({ keepAlive: true, maxSockets: 2 });
			try {
				const half = fileSize / 2;
				// Two connections at cap / 2 each move the file at about the cap together (a cap shared by the server
				// would give half of it); the exact rate of one connection is the tests above.
				const rate = await bestRate(0.9 * cap, async () => {
					const started = performance.now();
					const both = await Promise.all([exchange(`${fileG}/0-${half - 1}`, twoSockets), exchange(`${fileG}/${half}-${fileSize - 1}`, twoSockets)]);
					const seconds = (performance.now() - started) / 1000;
					expect(both.every((r) => r.complete && r.bytes === half)).toBe(true);
					return fileSize / seconds;
				});
				expect(rate / cap).toBeGreaterThanOrEqual(0.9);
				expect(rate / cap).toBeLessThanOrEqual(1.03);
			} finally {
				twoSockets.destroy();
			}
		});
	});
});
