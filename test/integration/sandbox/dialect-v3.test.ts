import { createSaltV2, deriveKeyV2, encryptAttributes, encryptKey, hashAuthKeyV2 } from '../../../core/mega/crypto';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { encodeSeqTag } from '../../../sandbox/mega/dialect';
import { call, cs, fetchTree, freshId, mkdir, rawLogin, rootOf, uploadFile, type FetchReply, type RawSession, type TreeNode } from './helpers';

/**
 * The `v=3` dialect, checked against how MEGA's C++ SDK (v10.11.0) parses it:
 * - result shapes: `src/request.cpp` `Request::process` / `Request::processSeqTag` (a bare string is a sequence tag;
 *   `[0, x]` is a result without one; `["<st>", x]` a result to deliver once the packets tagged `st` arrived),
 *   `src/command.cpp` `Command::checkError` (errors are bare numbers);
 * - packets: `src/megaclient.cpp` `MegaClient::sc_checkActionPacket` (reads `a`, `i`, `st` in that order) and
 *   `sc_checkActionPacketWithoutSt` (the `t` of a move follows its tagged `d` untagged);
 * - user attributes: `src/commands.cpp` `CommandPutUAVer::procresult` (-8 = version conflict),
 *   `CommandPutMultipleUAVer::procresult` (`{name: version}`), `CommandGetUA::procresult` (`{av, v}`),
 *   `CommandGetUserData::parseUserAttribute` (`"<name>": {av, v}` in `ug`), `MegaClient::sc_userattr` (`ua` packet).
 */

type Packet = Record<string, unknown>;

/** Sequence tags order by length, then lexicographically (`Request::processSeqTag`'s assertion). */
function seqTagAfter(later: string, earlier: string): boolean {
	return later.length > earlier.length || (later.length === earlier.length && later > earlier);
}

describe('sandbox v=3 dialect (MEGA SDK and MEGAcmd)', () => {
	let sandbox: MegaSandbox;
	let session: RawSession;
	let other: RawSession;
	let root: string;
	let sn: string;
	const gw = (): string => sandbox.gateway;
	const v3 = <T = unknown>(command: Record<string, unknown>, opts: { id?: string; sid?: string } = {}): Promise<T> => call<T>(gw(), command, { sid: session.sid, v: 3, ...opts });
	const attr = (name: string, key: Buffer): string => encryptAttributes({ n: name }, key).toString('base64url');

	/** Packets since the last call (the SDK polls `wsc`; the packets are the same). */
	async function newPackets(): Promise<Packet[]> {
		const res = await fetch(`${gw()}wsc?${new URLSearchParams({ sn, sid: session.sid })}`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
		const body = (await res.json()) as { a?: Packet[]; sn: string };
		sn = body.sn;
		return body.a ?? [];
	}

	beforeAll(async () => {
		sandbox = await startMegaSandbox({ waitTimeoutMs: 1000 });
		await sandbox.createAccount({ email: 'v3@test.local', password: 'v3-password' });
		await sandbox.createAccount({ email: 'v3-other@test.local', password: 'v3-other-password' });
		session = await rawLogin(gw(), 'v3@test.local', 'v3-password');
		other = await rawLogin(gw(), 'v3-other@test.local', 'v3-other-password');
		const tree = await call<FetchReply>(gw(), { a: 'f', c: 1 }, { sid: session.sid, v: 3 });
		root = rootOf(tree, 2);
		sn = tree.sn;
	});
	afterAll(() => sandbox.close());

	describe('result shapes (src/request.cpp Request::process)', () => {
		it('p answers ["<st>", {f}] and its t packet carries the same st right after a', async () => {
			const key = randomBytes(16);
			const reply = await v3<[string, { f: TreeNode[] }]>({ a: 'p', t: root, n: [{ h: 'xxxxxxxx', t: 1, a: attr('v3 folder', key), k: encryptKey(session.masterKey, key).toString('base64url') }] });
			expect(reply).toEqual(expect.any(Array));
			const [st, result] = reply;
			expect(typeof st).toBe('string');
			expect(result.f).toHaveLength(1);
			const packets = await newPackets();
			expect(packets).toHaveLength(1);
			expect(Object.keys(packets[0]).slice(0, 2)).toEqual(['a', 'st']);
			expect(packets[0]).toMatchObject({ a: 't', st });
			expect((packets[0].t as { f: TreeNode[] }).f[0].h).toBe(result.f[0].h);
		});

		it('the t packet of p names the n[] entry of each new node (i, MegaClient::readnodes); legacy packets do not', async () => {
			const keys = [randomBytes(16), randomBytes(16)];
			const entries = keys.map((key, index) => ({ h: `tmp${index}`, ...(index === 1 ? { p: 'tmp0' } : {}), t: 1, a: attr(`entry ${index}`, key), k: encryptKey(session.masterKey, key).toString('base64url') }));
			await newPackets();
			const [st, result] = await v3<[string, { f: TreeNode[] }]>({ a: 'p', t: root, n: entries });
			const [packet] = await newPackets();
			expect(packet.st).toBe(st);
			expect((packet.t as { f: Array<TreeNode & { i: number }> }).f.map((node) => [node.h, node.i])).toEqual([
				[result.f[0].h, 0],
				[result.f[1].h, 1],
			]);
			await call(gw(), { a: 'p', t: root, n: [entries[0]] }, { sid: session.sid });
			const [legacy] = await newPackets();
			expect((legacy.t as { f: TreeNode[] }).f[0]).not.toHaveProperty('i');
		});

		it('p copies a file with its old version: the version entry names the copied entry as parent (MEGAcmd cp)', async () => {
			const { node: first } = await uploadFile(gw(), session, root, 'versioned.bin', randomBytes(100));
			const second = await uploadFile(gw(), session, root, 'versioned.bin', randomBytes(120), {}, { ov: first.h });
			const { node: target } = await mkdir(gw(), session, root, 'copies');
			await newPackets();
			const key = randomBytes(32).toString('base64url');
			const reply = await v3<[string, { f: TreeNode[] }]>({
				a: 'p',
				t: target.h,
				n: [
					{ h: second.node.h, t: 0, a: second.node.a, k: key },
					{ h: first.h, p: second.node.h, t: 0, a: first.a, k: key },
				],
			});
			expect(reply).toEqual(expect.any(Array));
			const [st, result] = reply;
			expect(result.f.map((node) => [node.p, node.s])).toEqual([
				[target.h, 120],
				[result.f[0].h, 100],
			]);
			const [packet] = await newPackets();
			expect(packet).toMatchObject({ a: 't', st });
			const tree = packet.t as { f: TreeNode[]; f2: TreeNode[] };
			expect(tree.f.map((node) => node.h)).toEqual([result.f[0].h]);
			expect(tree.f2.map((node) => node.h)).toEqual([result.f[1].h]);
		});

		it('a command whose result is 0 and that emitted packets answers the bare "<st>" (CommandSetAttr)', async () => {
			const { node, key } = await mkdir(gw(), session, root, 'legacy-made');
			await newPackets();
			const reply = await v3({ a: 'a', n: node.h, at: attr('renamed', key) });
			expect(typeof reply).toBe('string');
			const packets = await newPackets();
			expect(packets.map((p) => [p.a, p.st])).toEqual([['u', reply]]);
		});

		it('l answers ["<st>", "<ph>"] when it creates the link and [0, "<ph>"] when it already exists (CommandSetPH)', async () => {
			const { node } = await mkdir(gw(), session, root, 'to-export');
			await newPackets();
			const created = await v3<[string, string]>({ a: 'l', n: node.h });
			expect(created).toEqual([expect.any(String), expect.stringMatching(/^[A-Za-z0-9_-]{8}$/)]);
			const packets = await newPackets();
			expect(packets.map((p) => [p.a, p.st, p.ph])).toEqual([['ph', created[0], created[1]]]);
			expect(await v3({ a: 'l', n: node.h })).toEqual([0, created[1]]);
			expect(await newPackets()).toEqual([]);
			// The legacy dialect still answers the bare handle.
			expect(await call(gw(), { a: 'l', n: node.h }, { sid: session.sid })).toBe(created[1]);
		});

		it('a string result without packets is [0, "…"] (up with a session answers the user handle)', async () => {
			expect(await v3({ a: 'up', name: 'V3 User' })).toEqual([0, session.userHandle]);
			expect(await call(gw(), { a: 'up', name: 'V3 User' }, { sid: session.sid })).toBe(session.userHandle);
		});

		it('u and g add the storage host ip pair (Command::cacheresolvedurls: IPv4, IPv6 per URL) in v3 only', async () => {
			const upload = await v3<{ p: string; ip: string[] }>({ a: 'u', s: 10, v: 2, ssl: 0 });
			expect(upload.ip).toEqual(['127.0.0.1', '::ffff:127.0.0.1']);
			expect(new URL(upload.p).hostname).toBe('127.0.0.1');
			expect(await call(gw(), { a: 'u', s: 10, v: 2, ssl: 0 }, { sid: session.sid })).not.toHaveProperty('ip');
			const { node } = await uploadFile(gw(), session, root, 'ip.bin', randomBytes(10));
			expect(await v3({ a: 'g', n: node.h, g: 1, ssl: 0 })).toMatchObject({ ip: ['127.0.0.1', '::ffff:127.0.0.1'] });
			expect(await call(gw(), { a: 'g', n: node.h, g: 1, ssl: 0 }, { sid: session.sid })).not.toHaveProperty('ip');
		});

		it('errors stay bare numbers (Command::checkError), and objects stay objects', async () => {
			expect(await v3({ a: 'm', n: 'AAAAAAAA', t: root })).toBe(-9);
			expect(await v3({ a: 'p', t: 'AAAAAAAA', n: [{ h: 'x', t: 1, a: 'AA', k: 'A'.repeat(22) }] })).toBe(-9);
			expect(await v3({ a: 'nosuchcommand' })).toBe(-2);
			// uq in v3 adds the storage level `usl` (CommandGetUserQuota::procresult); legacy uq has none.
			const quota = await v3<Record<string, unknown>>({ a: 'uq', xfer: 1, strg: 1, v: 2 });
			expect(quota).toMatchObject({ mstrg: expect.any(Number), usl: 0 });
			expect(await call(gw(), { a: 'uq', xfer: 1, strg: 1 }, { sid: session.sid })).not.toHaveProperty('usl');
		});
	});

	describe('sequence tags (src/megaclient.cpp sc_checkActionPacket, src/request.cpp processSeqTag)', () => {
		it('grow by length then lexicographically, one per command, and f carries the current one', async () => {
			const tags: string[] = [];
			for (let index = 0; index < 70; index++) {
				const key = randomBytes(16);
				const [st] = await v3<[string, unknown]>({ a: 'p', t: root, n: [{ h: 'xxxxxxxx', t: 1, a: attr(`n${index}`, key), k: encryptKey(session.masterKey, key).toString('base64url') }] });
				tags.push(st);
			}
			for (let index = 1; index < tags.length; index++) expect(seqTagAfter(tags[index], tags[index - 1])).toBe(true);
			const tree = await call<FetchReply & { st: string }>(gw(), { a: 'f', c: 1 }, { sid: session.sid, v: 3 });
			expect(tree.st).toBe(tags[tags.length - 1]);
			// The legacy f has no st.
			expect(await fetchTree(gw(), session)).not.toHaveProperty('st');
			sn = tree.sn;
		});

		it('the tag encoding keeps that order across a length change (base 62, ASCII-ordered alphabet)', () => {
			for (const start of [1n, 55n, 62n ** 2n - 10n, 62n ** 5n - 3n]) {
				for (let n = start; n < start + 20n; n++) expect(seqTagAfter(encodeSeqTag(n + 1n), encodeSeqTag(n))).toBe(true);
			}
			expect([encodeSeqTag(61n), encodeSeqTag(62n)]).toEqual(['z', '10']);
		});

		it('a move tags its d packet (after a and i) and not the t packet that follows (CommandMoveNode)', async () => {
			const { node: folder } = await mkdir(gw(), session, root, 'move-me');
			const { node: target } = await mkdir(gw(), session, root, 'move-target');
			await newPackets();
			const st = await v3({ a: 'm', n: folder.h, t: target.h, i: 'sdkclient1' });
			expect(typeof st).toBe('string');
			const packets = await newPackets();
			expect(packets.map((p) => p.a)).toEqual(['d', 't']);
			expect(Object.keys(packets[0]).slice(0, 3)).toEqual(['a', 'i', 'st']);
			expect(packets[0]).toMatchObject({ a: 'd', i: 'sdkclient1', st, m: 1 });
			expect(packets[1]).not.toHaveProperty('st');
		});

		it('a command that emits nothing gets no tag: the bare 0 (dr on an empty rubbish bin), no packet', async () => {
			await newPackets();
			expect(await v3({ a: 'dr' })).toBe(0);
			expect(await newPackets()).toEqual([]);
		});

		it('a resent request (same id and body) replays the same st and is not applied twice', async () => {
			const { node, key } = await mkdir(gw(), session, root, 'replayed');
			await newPackets();
			const id = freshId();
			const command = { a: 'a', n: node.h, at: attr('replayed once', key) };
			const first = await cs(gw(), [command], { sid: session.sid, id, v: 3 });
			const again = await cs(gw(), [command], { sid: session.sid, id, v: 3 });
			expect(again.text).toBe(first.text);
			expect(await newPackets()).toHaveLength(1);
			const next = await v3<string>({ a: 'a', n: node.h, at: attr('replayed twice', key) });
			expect(seqTagAfter(next, (first.json as string[])[0])).toBe(true);
		});

		it('legacy requests still answer legacy shapes and emit untagged packets', async () => {
			const { node, key } = await mkdir(gw(), session, root, 'legacy');
			await newPackets();
			expect(await call(gw(), { a: 'a', n: node.h, at: attr('legacy renamed', key) }, { sid: session.sid })).toBe(0);
			const packets = await newPackets();
			expect(packets).toHaveLength(1);
			expect(packets[0]).not.toHaveProperty('st');
		});
	});

	describe('versioned user attributes (src/commands.cpp CommandPutUAVer, CommandGetUA, CommandGetUserData)', () => {
		const jscd = randomBytes(40).toString('base64url');

		it('upv stores a new attribute: ["<st>", {name: version}] and a ua packet with the same st', async () => {
			await newPackets();
			const reply = await v3<[string, Record<string, string>]>({ a: 'upv', '*~jscd': [jscd] });
			const [st, versions] = reply;
			expect(Object.keys(versions)).toEqual(['*~jscd']);
			expect(versions['*~jscd']).toMatch(/^[A-Za-z0-9_-]{11}$/);
			const packets = await newPackets();
			expect(packets).toEqual([{ a: 'ua', st, u: session.userHandle, ua: ['*~jscd'], v: [versions['*~jscd']] }]);
			expect(await v3({ a: 'uga', u: session.userHandle, ua: '*~jscd', v: 1 })).toEqual({ av: jscd, v: versions['*~jscd'] });
		});

		// -8 is what the SDK reads as "written by another client first": `MegaClient::JSCDataCreated` then fetches
		// `*~jscd`, and the key manager's commit fetches `^!keys` again and retries (src/megaclient.cpp).
		it('a write without the current version, or with a stale one, is -8 and changes nothing', async () => {
			const current = await v3<{ av: string; v: string }>({ a: 'uga', u: session.userHandle, ua: '*~jscd', v: 1 });
			expect(await v3({ a: 'upv', '*~jscd': [randomBytes(8).toString('base64url')] })).toBe(-8);
			expect(await v3({ a: 'upv', '*~jscd': [randomBytes(8).toString('base64url'), 'AAAAAAAAAAA'] })).toBe(-8);
			expect(await v3({ a: 'uga', u: session.userHandle, ua: '*~jscd', v: 1 })).toEqual(current);
			const [, versions] = await v3<[string, Record<string, string>]>({ a: 'upv', '*~jscd': ['bmV3', current.v] });
			expect(versions['*~jscd']).not.toBe(current.v);
			expect(await v3({ a: 'uga', u: session.userHandle, ua: '*~jscd', v: 1 })).toEqual({ av: 'bmV3', v: versions['*~jscd'] });
		});

		it('several attributes in one upv (CommandPutMultipleUAVer) are stored together or not at all', async () => {
			const names = ['^!keys', '*keyring', '+puEd255', '+puCu255', '+sigPubk', '+sigCu255', '*~usk'];
			const values = Object.fromEntries(names.map((name) => [name, [randomBytes(32).toString('base64url')]]));
			// One stale entry (a version for an attribute that does not exist) refuses the whole command.
			expect(await v3({ a: 'upv', ...values, '*~usk': ['AAAA', 'AAAAAAAAAAA'] })).toBe(-8);
			expect(await v3({ a: 'uga', u: session.userHandle, ua: '^!keys', v: 1 })).toBe(-9);
			const [, versions] = await v3<[string, Record<string, string>]>({ a: 'upv', ...values });
			expect(Object.keys(versions).sort()).toEqual([...names].sort());
			const userData = await v3<Record<string, unknown>>({ a: 'ug', v: 1 });
			for (const name of names) expect(userData[name]).toEqual({ av: (values[name] as string[])[0], v: versions[name] });
			expect(userData['*~jscd']).toMatchObject({ av: 'bmV3' });
		});

		it("another account reads public (+) attributes only; a missing one is -9", async () => {
			expect(await call(gw(), { a: 'uga', u: session.userHandle, ua: '+puEd255', v: 1 }, { sid: other.sid, v: 3 })).toMatchObject({ av: expect.any(String), v: expect.any(String) });
			expect(await call(gw(), { a: 'uga', u: session.userHandle, ua: '*keyring', v: 1 }, { sid: other.sid, v: 3 })).toBe(-11);
			expect(await v3({ a: 'uga', u: session.userHandle, ua: '*!dn', v: 1 })).toBe(-9);
			expect(await v3({ a: 'uga', u: 'v3@test.local', ua: '*keyring', v: 1 })).toMatchObject({ v: expect.any(String) });
		});

		it('up2 (CommandPutUA) overwrites without a version and answers ["<st>", {name: version}]', async () => {
			const [st, versions] = await v3<[string, Record<string, string>]>({ a: 'up2', '^!dv': 'MQ' });
			expect(typeof st).toBe('string');
			expect(await v3({ a: 'uga', u: session.userHandle, ua: '^!dv', v: 1 })).toEqual({ av: 'MQ', v: versions['^!dv'] });
		});
	});

	describe('account upgrade and link format at login (src/megaclient.cpp, src/commands.cpp)', () => {
		it('avu upgrades a v1 account to v2 as CommandAccountVersionUpgrade / fillCypheredAccountDataV2 send it', async () => {
			await sandbox.createAccount({ email: 'v1@test.local', password: 'v1-password', version: 1 });
			const v1 = await rawLogin(gw(), 'v1@test.local', 'v1-password');
			const crv = randomBytes(16);
			const derived = deriveKeyV2('v1-password', createSaltV2(crv));
			const upgrade = { a: 'avu', emk: encryptKey(derived.passwordKey, v1.masterKey).toString('base64url'), hak: hashAuthKeyV2(derived.userHash).toString('base64url'), crv: crv.toString('base64url') };
			expect(await call(gw(), upgrade, { sid: v1.sid, v: 3 })).toBe(0);
			expect(await call(gw(), { a: 'us0', user: 'v1@test.local' }, { v: 3 })).toEqual({ v: 2, s: createSaltV2(crv).toString('base64url') });
			// The v2 login (PBKDF2 with that salt) now works and yields the same master key; a second upgrade is refused.
			const v2 = await rawLogin(gw(), 'v1@test.local', 'v1-password');
			expect(v2.masterKey).toEqual(v1.masterKey);
			expect(await call(gw(), upgrade, { sid: v2.sid, v: 3 })).toBe(-11);
		});

		it('ug flags carry nlfe (new link format, MegaClient::readmiscflags) in v3 only', async () => {
			expect(await v3({ a: 'ug', v: 1 })).toMatchObject({ flags: { mfae: 1, nlfe: 1 } });
			expect(await call(gw(), { a: 'ug' }, { sid: session.sid })).toMatchObject({ flags: { mfae: 1 } });
			expect(((await call(gw(), { a: 'ug' }, { sid: session.sid })) as { flags: object }).flags).not.toHaveProperty('nlfe');
		});
	});

	describe('what the SDK asks at login answers, never hangs', () => {
		// Each reply is awaited with a 10 s abort signal: a hang fails the test loudly (no timing is asserted).
		it.each([
			['stp (CommandSetThrottlingParams)', { a: 'stp' }, { ur: 1800, uc: 2, ucr: 86400 }],
			['ftz (CommandFetchTimeZone)', { a: 'ftz', utz: 'Europe/Berlin', uo: '3600' }, { choices: { UTC: 0, 'Europe/Berlin': 3600 }, default: 'Europe/Berlin' }],
			['log (CommandSendEvent)', { a: 'log', e: 99999, m: 'event' }, 0],
			['pk (CommandPendingKeys): no pending keys', { a: 'pk' }, -9],
			['utt (CommandGetUserTransactions)', { a: 'utt' }, []],
			['utp (CommandGetUserPurchases)', { a: 'utp' }, []],
			['gpsa (CommandGetPSA): nothing to show', { a: 'gpsa', w: 1 }, -9],
			['qbq (CommandQueryTransferQuota)', { a: 'qbq', s: 1000 }, 0],
		])('%s', async (_name, command, expected) => {
			const reply = await cs(gw(), [command], { sid: session.sid, v: 3 });
			expect(reply.json).toEqual([expected]);
		});

		it('qbq answers 0 in a folder-link session too (MEGAcmd asks before downloading from a folder link)', async () => {
			const { node } = await mkdir(gw(), session, root, 'qbq-link');
			await call(gw(), { a: 's2', n: node.h, s: [{ u: 'EXP', r: 0 }], ok: 'A'.repeat(22), ha: 'A'.repeat(22) }, { sid: session.sid });
			const ph = await call<string>(gw(), { a: 'l', n: node.h }, { sid: session.sid });
			expect(await call(gw(), { a: 'qbq', s: 1000 }, { n: ph, v: 3 })).toBe(0);
			expect(await call(gw(), { a: 'qbq', s: -1 }, { n: ph, v: 3 })).toBe(-2);
		});

		it('usl (CommandGetUserSessions) lists the sessions, the current one flagged, without sids', async () => {
			const reply = await v3<unknown[][]>({ a: 'usl', x: 1, d: 1 });
			expect(reply.length).toBeGreaterThanOrEqual(1);
			const current = reply.filter((entry) => entry[5] === 1);
			expect(current).toHaveLength(1);
			expect(current[0][6]).toMatch(/^[A-Za-z0-9_-]{11}$/);
			expect(JSON.stringify(reply)).not.toContain(session.sid);
		});

		it('sc?c=50 (UserAlerts::procsc_useralert) answers an empty alert list with lsn/fsn', async () => {
			const res = await fetch(`${gw()}sc?c=50&sid=${session.sid}`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
			const body = (await res.json()) as Record<string, unknown>;
			expect(body).toMatchObject({ c: [], u: [], ltd: 0 });
			expect(body.lsn).toMatch(/^[A-Za-z0-9_-]{11}$/);
		});

		it('cs/rs (MegaClient::procreqstat) streams "no operation in progress" (two zero bytes)', async () => {
			const stop = new AbortController();
			const res = await fetch(`${gw()}cs/rs?sid=${session.sid}`, { method: 'POST', signal: AbortSignal.any([stop.signal, AbortSignal.timeout(10_000)]) });
			expect(res.status).toBe(200);
			const reader = (res.body as ReadableStream<Uint8Array>).getReader();
			const { value } = await reader.read();
			expect(Buffer.from(value as Uint8Array)).toEqual(Buffer.alloc(2));
			stop.abort();
			await reader.cancel().catch(() => undefined);
			const dead = await fetch(`${gw()}cs/rs?sid=${'A'.repeat(58)}`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
			expect([dead.status, (await dead.arrayBuffer()).byteLength]).toEqual([403, 0]);
		});

		it('cs replies spell the header "Content-Length" exactly (src/posix/net.cpp matches "Content-Length:" case-sensitively)', async () => {
			const rawHeaders = await new Promise<string[]>((resolve, reject) => {
				const req = request(`${gw()}cs?id=${freshId()}&sid=${session.sid}&v=3`, { method: 'POST', signal: AbortSignal.timeout(10_000) }, (res) => {
					res.resume();
					res.on('end', () => resolve(res.rawHeaders));
				});
				req.on('error', reject);
				req.end(JSON.stringify([{ a: 'uq' }]));
			});
			expect(rawHeaders).toContain('Content-Length');
		});
	});
});
