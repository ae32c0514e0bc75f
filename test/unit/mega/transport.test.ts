import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import nock from 'nock';

import { MegaApiTransport } from '../../../core/mega/api/transport';
import { createHashcashChallenge, verifyHashcash } from '../../../core/mega/crypto';
import {
	MegaAbortError,
	MegaApiError,
	MegaHttpError,
	MegaRetryExhaustedError,
	MegaWriteOutcomeUnknownError,
} from '../../../core/mega/errors';

const GATEWAY = 'http://mega.test/';
const fastRetry = { baseDelayMs: 1, maxDelayMs: 4, maxRetries: 5, maxTotalMs: 5_000 };

interface Seen {
	id: string | null;
	sid: string | null;
	body: unknown;
	headers: Record<string, string | string[] | undefined>;
}

/** Intercepts `cs` requests; `replies` are consumed in order (a function can answer dynamically). */
function interceptCs(replies: Array<[number, unknown, Record<string, string>?]>, seen: Seen[]): void {
	for (const reply of replies) {
		const scope = nock('http://mega.test').post(/^\/cs/);
		scope.reply(function (uri, body) {
			const url = new URL(uri, 'http://mega.test');
			seen.push({ id: url.searchParams.get('id'), sid: url.searchParams.get('sid'), body, headers: this.req.headers });
			const [status, payload, headers] = reply;
			return [status, typeof payload === 'string' ? payload : JSON.stringify(payload), headers ?? {}];
		});
	}
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
	// nock patches node:http for the whole worker process: undo it so later test files get the real module.
	nock.cleanAll();
	nock.restore();
	nock.enableNetConnect();
});

describe('MegaApiTransport.request', () => {
	it('posts a JSON array to cs?id=…&sid=… and returns the single result', async () => {
		const seen: Seen[] = [];
		interceptCs([[200, [{ v: 2, s: 'salt' }]]], seen);
		const api = new MegaApiTransport({ gateway: GATEWAY });
		api.sid = 'SESSION';
		const result = await api.request<{ v: number }>({ a: 'us0', user: 'a@b.c' });
		expect(result).toEqual({ v: 2, s: 'salt' });
		expect(seen[0].body).toEqual([{ a: 'us0', user: 'a@b.c' }]);
		expect(seen[0].sid).toBe('SESSION');
		expect(seen[0].id).toMatch(/^\d+$/);
		expect(seen[0].headers['content-type']).toBe('application/json');
	});

	it('gives every new request a new id', async () => {
		const seen: Seen[] = [];
		interceptCs([[200, [0]], [200, [0]]], seen);
		const api = new MegaApiTransport({ gateway: GATEWAY });
		await api.request({ a: 'a' });
		await api.request({ a: 'a' });
		expect(Number(seen[1].id)).toBe(Number(seen[0].id) + 1);
	});

	it('retries EAGAIN (bare and per command), HTTP 500 and a truncated reply with the SAME id', async () => {
		const seen: Seen[] = [];
		interceptCs([[200, -3], [200, [-3]], [500, ''], [200, '[{"ok"'], [200, [{ f: [] }]]], seen);
		const api = new MegaApiTransport({ gateway: GATEWAY, retry: fastRetry });
		await expect(api.request({ a: 'p', t: 'x' })).resolves.toEqual({ f: [] });
		expect(seen.length).toBe(5);
		expect(new Set(seen.map((s) => s.id)).size).toBe(1);
		expect(nock.isDone()).toBe(true);
	});

	it('gives up after maxRetries with a typed error that keeps the cause', async () => {
		const seen: Seen[] = [];
		interceptCs(Array.from({ length: 10 }, () => [200, -4] as [number, unknown]), seen);
		const api = new MegaApiTransport({ gateway: GATEWAY, retry: { ...fastRetry, maxRetries: 3 } });
		const error = await api.request({ a: 'f' }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(MegaRetryExhaustedError);
		expect((error as MegaRetryExhaustedError).cause).toBe('rate-limited');
		expect((error as MegaRetryExhaustedError).attempts).toBe(4);
		expect(seen.length).toBe(4);
	});

	it('stops retrying when the total time budget would be exceeded', async () => {
		const seen: Seen[] = [];
		interceptCs(Array.from({ length: 20 }, () => [200, -3] as [number, unknown]), seen);
		// Budget 1 s, 200 ms between tries: about 5 tries, far below maxRetries (100). The margins are wide so a
		// loaded machine (slow nock round trips) cannot push the count outside them.
		const api = new MegaApiTransport({
			gateway: GATEWAY,
			retry: { baseDelayMs: 200, maxDelayMs: 200, maxRetries: 100, maxTotalMs: 1_000 },
			random: () => 1,
		});
		const started = Date.now();
		await expect(api.request({ a: 'f' })).rejects.toBeInstanceOf(MegaRetryExhaustedError);
		expect(Date.now() - started).toBeLessThan(3_000);
		expect(seen.length).toBeLessThanOrEqual(6);
		expect(seen.length).toBeGreaterThanOrEqual(2);
	});

	it('backs off exponentially with jitter inside [ceiling/2, ceiling]', async () => {
		const seen: Seen[] = [];
		interceptCs([[200, -3], [200, -3], [200, -3], [200, [0]]], seen);
		const api = new MegaApiTransport({ gateway: GATEWAY, retry: { baseDelayMs: 40, maxDelayMs: 100, maxRetries: 5, maxTotalMs: 5_000 }, random: () => 0 });
		const started = Date.now();
		await api.request({ a: 'x' });
		// random() = 0 → delays are ceiling/2: 20, 40, 50 ms (capped at 100/2)
		expect(Date.now() - started).toBeGreaterThanOrEqual(100);
		expect(seen.length).toBe(4);
	});

	it('stops at once when the signal aborts during a backoff', async () => {
		const seen: Seen[] = [];
		interceptCs(Array.from({ length: 5 }, () => [200, -3] as [number, unknown]), seen);
		const api = new MegaApiTransport({ gateway: GATEWAY, retry: { baseDelayMs: 10_000, maxDelayMs: 10_000, maxRetries: 5, maxTotalMs: 60_000 } });
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 50);
		const started = Date.now();
		await expect(api.request({ a: 'f' }, { signal: controller.signal })).rejects.toBeInstanceOf(MegaAbortError);
		expect(Date.now() - started).toBeLessThan(2_000);
		expect(seen.length).toBe(1);
	});

	it('throws a non-retryable MEGA error at once, with name, errno and cause', async () => {
		const seen: Seen[] = [];
		interceptCs([[200, [-9]]], seen);
		const api = new MegaApiTransport({ gateway: GATEWAY, retry: fastRetry });
		const error = (await api.request({ a: 'us', user: 'x', uh: 'y' }).catch((e: unknown) => e)) as MegaApiError;
		expect(error).toBeInstanceOf(MegaApiError);
		expect(error.errno).toBe(-9);
		expect(error.code).toBe('ENOENT');
		expect(error.cause).toBe('not-found');
		expect(error.retryable).toBe(false);
		expect(seen.length).toBe(1);
	});

	it('understands the {err, u, l} form, per command and for the whole request', async () => {
		const seen: Seen[] = [];
		interceptCs([[200, [{ err: -16, u: 7 }]], [200, { err: -11 }]], seen);
		const api = new MegaApiTransport({ gateway: GATEWAY, retry: fastRetry });
		const blocked = (await api.request({ a: 'g', p: 'x' }).catch((e: unknown) => e)) as MegaApiError;
		expect(blocked.errno).toBe(-16);
		expect(blocked.details).toEqual({ u: 7 });
		const denied = (await api.request({ a: 'g', p: 'x' }).catch((e: unknown) => e)) as MegaApiError;
		expect(denied.errno).toBe(-11);
		expect(denied.cause).toBe('access-denied');
	});

	it('answers an HTTP 402 hashcash challenge and resends the same request', async () => {
		const { header, challenge } = createHashcashChallenge(255);
		const seen: Seen[] = [];
		interceptCs([[402, '', { 'X-Hashcash': header }], [200, [{ csid: 'x' }]]], seen);
		const api = new MegaApiTransport({ gateway: GATEWAY, retry: fastRetry });
		await expect(api.request({ a: 'us', user: 'u', uh: 'h' })).resolves.toEqual({ csid: 'x' });
		expect(seen.length).toBe(2);
		expect(seen[1].id).toBe(seen[0].id);
		expect(seen[1].body).toEqual(seen[0].body);
		const answer = seen[1].headers['x-hashcash'] as string;
		expect(verifyHashcash(challenge, answer)).toBe(true);
	});

	it('gives up when hashcash challenges never stop', async () => {
		const { header } = createHashcashChallenge(255);
		const seen: Seen[] = [];
		interceptCs(Array.from({ length: 6 }, () => [402, '', { 'X-Hashcash': header }] as [number, unknown, Record<string, string>]), seen);
		const api = new MegaApiTransport({ gateway: GATEWAY, retry: fastRetry, solveHashcash: async () => '1:x:AAAAAA' });
		await expect(api.request({ a: 'us' })).rejects.toBeInstanceOf(MegaHttpError);
		expect(seen.length).toBe(4);
	});

	it('on ESID calls the re-login hook once and resends with the new session', async () => {
		const seen: Seen[] = [];
		interceptCs([[200, -15], [200, [{ ok: 1 }]]], seen);
		const api = new MegaApiTransport({ gateway: GATEWAY, retry: fastRetry });
		api.sid = 'OLD';
		let calls = 0;
		api.onSessionExpired = async () => {
			calls += 1;
			api.sid = 'NEW';
		};
		await expect(api.request({ a: 'f' })).resolves.toEqual({ ok: 1 });
		expect(calls).toBe(1);
		expect(seen.map((s) => s.sid)).toEqual(['OLD', 'NEW']);

		const again: Seen[] = [];
		interceptCs([[200, [-15]], [200, [-15]]], again);
		const error = (await api.request({ a: 'f' }).catch((e: unknown) => e)) as MegaApiError;
		expect(error.errno).toBe(-15);
		expect(error.cause).toBe('credential-invalid');
		expect(calls).toBe(2);
		expect(again.length).toBe(2);
	});

	it('batch returns per-command results and errors without throwing', async () => {
		const seen: Seen[] = [];
		interceptCs([[200, [0, -11, 'PUBHANDL']]], seen);
		const api = new MegaApiTransport({ gateway: GATEWAY });
		const results = await api.batch([{ a: 's2' }, { a: 'a' }, { a: 'l' }]);
		expect(results[0]).toBe(0);
		expect(results[1]).toBeInstanceOf(MegaApiError);
		expect(results[2]).toBe('PUBHANDL');
	});

	it('adds extra query parameters (folder links) and can omit the session', async () => {
		const seen: Seen[] = [];
		nock('http://mega.test')
			.post(/^\/cs/)
			.reply(function (uri) {
				seen.push({ id: null, sid: new URL(uri, GATEWAY).searchParams.get('sid'), body: new URL(uri, GATEWAY).searchParams.get('n'), headers: {} });
				return [200, '[{"f":[]}]'];
			});
		const api = new MegaApiTransport({ gateway: 'http://mega.test' });
		api.sid = 'S';
		await api.request({ a: 'f', c: 1 }, { query: { n: 'FOLDERPH' }, noSession: true });
		expect(seen[0]).toMatchObject({ sid: null, body: 'FOLDERPH' });
	});
});

describe('connection resets (real socket)', () => {
	it('retries a request whose connection was dropped, with the same id', async () => {
		nock.enableNetConnect('127.0.0.1');
		const ids: string[] = [];
		const server = http.createServer((req, res) => {
			ids.push(new URL(req.url ?? '', 'http://x').searchParams.get('id') ?? '');
			req.resume();
			req.on('end', () => {
				if (ids.length === 1) req.socket.destroy();
				else res.end('[0]');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
		const { port } = server.address() as AddressInfo;
		try {
			const api = new MegaApiTransport({ gateway: `http://127.0.0.1:${port}/`, retry: fastRetry });
			await expect(api.request({ a: 'm', n: 'x', t: 'y' })).resolves.toBe(0);
			expect(ids.length).toBe(2);
			expect(ids[1]).toBe(ids[0]);
		} finally {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
			nock.disableNetConnect();
		}
	});
});

describe('requests in flight', () => {
	it('never has more than maxInFlight requests open at once, and all complete', async () => {
		nock.enableNetConnect('127.0.0.1');
		let open = 0;
		let peak = 0;
		const server = http.createServer((req, res) => {
			open += 1;
			peak = Math.max(peak, open);
			req.resume();
			setTimeout(() => {
				open -= 1;
				res.end('[0]');
			}, 20);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
		const { port } = server.address() as AddressInfo;
		try {
			const api = new MegaApiTransport({ gateway: `http://127.0.0.1:${port}/`, maxInFlight: 3 });
			const results = await Promise.all(Array.from({ length: 10 }, () => api.request({ a: 'a' })));
			expect(results).toEqual(Array(10).fill(0));
			expect(peak).toBe(3);
			const controller = new AbortController();
			const blockers = Array.from({ length: 3 }, () => api.request({ a: 'a' }));
			const waiting = api.request({ a: 'a' }, { signal: controller.signal });
			controller.abort();
			await expect(waiting).rejects.toBeInstanceOf(MegaAbortError);
			await Promise.all(blockers);
		} finally {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
			nock.disableNetConnect();
		}
	});
});

describe('MegaApiTransport.pollChanges', () => {
	it('polls sc?sn= and returns packets; -6 is a distinct error; -3 is retried', async () => {
		const urls: string[] = [];
		nock('http://mega.test')
			.post(/^\/sc/)
			.reply((uri) => {
				urls.push(uri);
				return [200, '-3'];
			})
			.post(/^\/sc/)
			.reply((uri) => {
				urls.push(uri);
				return [200, JSON.stringify({ a: [{ a: 'd', n: 'AAAAAAAA' }], sn: 'NEXTSNxxxxx' })];
			})
			.post(/^\/sc/)
			.reply(200, '-6');
		const api = new MegaApiTransport({ gateway: GATEWAY, retry: fastRetry });
		api.sid = 'S';
		const reply = await api.pollChanges('FIRSTSNxxxx');
		expect(reply.sn).toBe('NEXTSNxxxxx');
		expect(reply.a).toEqual([{ a: 'd', n: 'AAAAAAAA' }]);
		expect(urls[0]).toContain('sn=FIRSTSNxxxx');
		expect(urls[0]).toContain('sid=S');
		const error = (await api.pollChanges('OLD').catch((e: unknown) => e)) as MegaApiError;
		expect(error.errno).toBe(-6);
	});
});

describe('request tags', () => {
	it('recognises its own `i` tags only', () => {
		const api = new MegaApiTransport({ gateway: GATEWAY });
		const other = new MegaApiTransport({ gateway: GATEWAY });
		const tag = api.nextRequestTag();
		expect(api.isOwnRequestTag(tag)).toBe(true);
		expect(other.isOwnRequestTag(tag)).toBe(false);
		expect(api.nextRequestTag()).not.toBe(tag);
		expect(api.isOwnRequestTag(undefined)).toBe(false);
	});
});

describe('a write whose reply was lost, then ESID', () => {
	function loggedIn(position?: string): MegaApiTransport {
		const api = new MegaApiTransport({ gateway: GATEWAY, retry: fastRetry });
		api.sid = 'OLD';
		api.onSessionExpired = async () => {
			api.sid = 'NEW';
		};
		if (position !== undefined) api.changeFeedPosition = () => position;
		return api;
	}

	it('is not resent when the change feed cannot say whether it was applied (-6): the outcome is reported as unknown', async () => {
		const seen: Seen[] = [];
		interceptCs([[500, ''], [200, -15]], seen);
		const polls: string[] = [];
		nock('http://mega.test')
			.post(/^\/sc/)
			.reply(function (uri) {
				polls.push(new URL(uri, 'http://mega.test').searchParams.get('sn') ?? '');
				return [200, '-6'];
			});
		const api = loggedIn('SN0');
		const error = await api.request({ a: 'a', n: 'NODEHAND', at: 'x', i: 'tag1' }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(MegaWriteOutcomeUnknownError);
		expect((error as MegaWriteOutcomeUnknownError).retryable).toBe(false);
		expect(seen.map((s) => s.sid)).toEqual(['OLD', 'OLD']);
		expect(polls).toEqual(['SN0']);
	});

	it('is not resent blindly without a known feed position either', async () => {
		const seen: Seen[] = [];
		interceptCs([[500, ''], [200, -15]], seen);
		const api = loggedIn();
		await expect(api.request({ a: 'd', n: 'NODEHAND', i: 'tag2' })).rejects.toBeInstanceOf(MegaWriteOutcomeUnknownError);
		expect(seen).toHaveLength(2);
	});

	it('takes its result from the echo in the feed (p: the new nodes), and is resent once when there is none', async () => {
		const seen: Seen[] = [];
		interceptCs([[500, ''], [200, -15]], seen);
		const created = { h: 'NEWNODE1', p: 'ROOTHAND', t: 1, a: 'x', k: 'u:k' };
		nock('http://mega.test')
			.post(/^\/sc/)
			.reply(200, JSON.stringify({ a: [{ a: 't', i: 'someone-else', t: { f: [] } }, { a: 't', i: 'tag3', t: { f: [created] } }], sn: 'SN1' }));
		const api = loggedIn('SN0');
		await expect(api.request({ a: 'p', t: 'ROOTHAND', n: [], i: 'tag3' })).resolves.toEqual({ f: [created] });
		expect(seen).toHaveLength(2);

		const again: Seen[] = [];
		interceptCs([[500, ''], [200, -15], [200, [0]]], again);
		nock('http://mega.test').post(/^\/sc/).reply(200, JSON.stringify({ w: 'http://mega.test/wsc/x', sn: 'SN1' }));
		const api2 = loggedIn('SN1');
		await expect(api2.request({ a: 'm', n: 'NODEHAND', t: 'ROOTHAND', i: 'tag4' })).resolves.toBe(0);
		expect(again.map((s) => s.sid)).toEqual(['OLD', 'OLD', 'NEW']);
		expect(again[2].id).not.toBe(again[0].id);
	});

	it('a read (no i) is simply resent under the new session', async () => {
		const seen: Seen[] = [];
		interceptCs([[500, ''], [200, -15], [200, [{ u: 'me' }]]], seen);
		const api = loggedIn('SN0');
		await expect(api.request({ a: 'ug' })).resolves.toEqual({ u: 'me' });
		expect(seen.map((s) => s.sid)).toEqual(['OLD', 'OLD', 'NEW']);
	});
});
