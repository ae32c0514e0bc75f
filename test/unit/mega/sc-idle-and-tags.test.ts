/**
 * What the real MEGA answers and expects on the change feed and in request tags (issue 13, items 2 and 8):
 * an idle legacy `sc?sn=` poll answers `{w}` without `sn` (or a bare `0`), and `i` tags are 10 characters.
 */
import nock from 'nock';

import { MegaApiTransport, REQUEST_TAG_LENGTH } from '../../../core/mega/api/transport';
import { MegaProtocolError } from '../../../core/mega/errors';

const GATEWAY = 'http://mega.test/';
const fastRetry = { baseDelayMs: 1, maxDelayMs: 4, maxRetries: 3, maxTotalMs: 5_000 };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
	nock.cleanAll();
	nock.restore();
	nock.enableNetConnect();
});

function transport(): MegaApiTransport {
	const api = new MegaApiTransport({ gateway: GATEWAY, retry: fastRetry });
	api.sid = 'S';
	return api;
}

describe('an idle change feed', () => {
	it('takes {w} without sn as "nothing new" and keeps the sn it asked with', async () => {
		nock('http://mega.test').post(/^\/sc/).reply(200, JSON.stringify({ w: 'https://g.api.mega.co.nz/wsc/abc' }));
		const reply = await transport().pollChanges('CURRENTSNxx');
		expect(reply).toEqual({ w: 'https://g.api.mega.co.nz/wsc/abc', a: [], sn: 'CURRENTSNxx' });
	});

	it('takes a bare 0 as "nothing new"', async () => {
		nock('http://mega.test').post(/^\/sc/).reply(200, '0');
		expect(await transport().pollChanges('CURRENTSNxx')).toEqual({ a: [], sn: 'CURRENTSNxx' });
	});

	it('still uses the sn of a wsc-style {w, sn} reply, and still refuses packets without an sn', async () => {
		nock('http://mega.test')
			.post(/^\/sc/)
			.reply(200, JSON.stringify({ w: 'https://g.api.mega.co.nz/wsc/abc', sn: 'SERVERSNxxx' }))
			.post(/^\/sc/)
			.reply(200, JSON.stringify({ a: [{ a: 'd', n: 'AAAAAAAA' }] }));
		const api = transport();
		expect((await api.pollChanges('CURRENTSNxx')).sn).toBe('SERVERSNxxx');
		await expect(api.pollChanges('CURRENTSNxx')).rejects.toBeInstanceOf(MegaProtocolError);
	});
});

describe('request tags (`i`)', () => {
	it('are exactly 10 characters of MEGA base64, unique, and remembered as our own', () => {
		const api = new MegaApiTransport({ gateway: GATEWAY });
		const tags = new Set<string>();
		for (let n = 0; n < 2_000; n++) {
			const tag = api.nextRequestTag();
			expect(tag).toMatch(/^[A-Za-z0-9_-]{10}$/);
			tags.add(tag);
		}
		expect(REQUEST_TAG_LENGTH).toBe(10);
		expect(tags.size).toBe(2_000);
		for (const tag of tags) expect(api.isOwnRequestTag(tag)).toBe(true);
		expect(new MegaApiTransport({ gateway: GATEWAY }).isOwnRequestTag([...tags][0])).toBe(false);
	});
});
