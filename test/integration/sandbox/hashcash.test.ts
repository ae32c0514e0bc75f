import { solveHashcash } from '../../../core/mega/crypto';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { call, cs, freshId, passwordHash } from './helpers';

describe('sandbox hashcash on demand', () => {
	let sandbox: MegaSandbox;
	let uh: string;

	beforeAll(async () => {
		sandbox = await startMegaSandbox({ hashcash: { commands: ['us'], easiness: 255 } });
		await sandbox.createAccount({ email: 'cash@test.local', password: 'cash-password' });
		({ uh } = await passwordHash(sandbox.gateway, 'cash@test.local', 'cash-password'));
	});
	afterAll(() => sandbox.close());

	const login = (): unknown[] => [{ a: 'us', user: 'cash@test.local', uh }];

	it('challenges the configured command with HTTP 402, an empty body and X-Hashcash; a solved resend is accepted', async () => {
		const id = freshId();
		const first = await cs(sandbox.gateway, login(), { id });
		expect(first.status).toBe(402);
		expect(first.text).toBe('');
		const header = first.headers.get('x-hashcash') as string;
		expect(header).toMatch(/^1:255:\d+:[A-Za-z0-9_-]{64}$/);
		const answer = await solveHashcash(header);
		const second = await cs(sandbox.gateway, login(), { id, headers: { 'X-Hashcash': answer } });
		expect(second.status).toBe(200);
		expect(second.json).toEqual([expect.objectContaining({ csid: expect.any(String), k: expect.any(String) })]);
		expect(sandbox.counters().hashcashChallenges).toBeGreaterThanOrEqual(1);
	});

	it('accepts each solution once and rejects answers to challenges it never issued', async () => {
		const first = await cs(sandbox.gateway, login());
		const answer = await solveHashcash(first.headers.get('x-hashcash') as string);
		expect((await cs(sandbox.gateway, login(), { headers: { 'X-Hashcash': answer } })).status).toBe(200);
		expect((await cs(sandbox.gateway, login(), { headers: { 'X-Hashcash': answer } })).status).toBe(402);
		const forged = `1:${Buffer.alloc(48, 7).toString('base64url')}:AAAAAA`;
		expect((await cs(sandbox.gateway, login(), { headers: { 'X-Hashcash': forged } })).status).toBe(402);
		expect((await cs(sandbox.gateway, login(), { headers: { 'X-Hashcash': 'garbage' } })).status).toBe(402);
	});

	it('rejects a prefix that does not meet the threshold', async () => {
		sandbox.setHashcash({ commands: ['us'], easiness: 0 });
		try {
			// e=0: threshold 8, so a fixed prefix is all but certain to fail.
			const first = await cs(sandbox.gateway, login());
			const token = (first.headers.get('x-hashcash') as string).split(':')[3];
			const reply = await cs(sandbox.gateway, login(), { headers: { 'X-Hashcash': `1:${token}:AAAAAA` } });
			expect(reply.status).toBe(402);
		} finally {
			sandbox.setHashcash({ commands: ['us'], easiness: 255 });
		}
	});

	it('leaves other commands alone and can be switched off', async () => {
		expect(await call(sandbox.gateway, { a: 'us0', user: 'cash@test.local' })).toMatchObject({ v: 2 });
		sandbox.setHashcash(null);
		expect((await cs(sandbox.gateway, login())).status).toBe(200);
		sandbox.setHashcash({ commands: ['us0'], easiness: 255 });
		expect((await cs(sandbox.gateway, [{ a: 'us0', user: 'x@y.z' }])).status).toBe(402);
		sandbox.setHashcash({ commands: ['us'], easiness: 255 });
	});
});
