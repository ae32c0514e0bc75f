/**
 * Sandbox + logged-in transport for the transfer tests. The login here is the plain protocol (us0/us or up/us for
 * an ephemeral account) on the crypto core, so these tests do not wait for the session module; the session
 * module's own tests cover login behaviour.
 */
import { randomBytes } from 'node:crypto';
import { MegaApiTransport } from '../../../../core/mega/api/transport';
import {
	aesEcbEncrypt,
	base64urlDecode,
	base64urlEncode,
	decryptKey,
	decryptSessionId,
	deriveKeyV2,
	encryptKey,
	unwrapPrivateKey,
} from '../../../../core/mega/crypto';
import { startMegaSandbox, type MegaSandbox, type MegaSandboxOptions, type SandboxAccount } from '../../../../sandbox/mega';

export interface LoggedIn {
	api: MegaApiTransport;
	masterKey: Buffer;
}

export async function loginV2(gateway: string, email: string, password: string): Promise<LoggedIn> {
	const api = new MegaApiTransport({ gateway });
	const pre = await api.request<{ v: number; s: string }>({ a: 'us0', user: email.toLowerCase() }, { noSession: true });
	if (pre.v !== 2) throw new Error('test login supports v2 accounts only');
	const { passwordKey, userHash } = deriveKeyV2(password, base64urlDecode(pre.s));
	const reply = await api.request<{ k: string; privk: string; csid: string }>(
		{ a: 'us', user: email.toLowerCase(), uh: userHash },
		{ noSession: true },
	);
	const masterKey = decryptKey(passwordKey, base64urlDecode(reply.k));
	const privateKey = unwrapPrivateKey(masterKey, base64urlDecode(reply.privk));
	api.sid = base64urlEncode(decryptSessionId(privateKey, base64urlDecode(reply.csid)));
	return { api, masterKey };
}

/** An anonymous (ephemeral) account, as in mega-protocol.md §3. */
export async function loginEphemeral(gateway: string): Promise<LoggedIn & { userHandle: string }> {
	const api = new MegaApiTransport({ gateway });
	const masterKey = randomBytes(16);
	const passwordKey = randomBytes(16);
	const ssc = randomBytes(16);
	const userHandle = await api.request<string>(
		{ a: 'up', k: base64urlEncode(encryptKey(passwordKey, masterKey)), ts: base64urlEncode(Buffer.concat([ssc, aesEcbEncrypt(masterKey, ssc)])) },
		{ noSession: true },
	);
	const reply = await api.request<{ k: string; tsid: string }>({ a: 'us', user: userHandle }, { noSession: true });
	if (!decryptKey(passwordKey, base64urlDecode(reply.k)).equals(masterKey)) throw new Error('ephemeral master key mismatch');
	api.sid = reply.tsid;
	return { api, masterKey, userHandle };
}

export interface TransferFixture {
	sandbox: MegaSandbox;
	account: SandboxAccount;
	session: LoggedIn;
	close(): Promise<void>;
}

let counter = 0;

export async function startTransferFixture(options: MegaSandboxOptions = {}): Promise<TransferFixture> {
	const sandbox = await startMegaSandbox({ port: 0, ...options });
	const email = `transfer-${process.pid}-${++counter}@sandbox.local`;
	const password = 'transfer-password-1';
	const account = await sandbox.createAccount({ email, password, version: 2, storageBytes: 64 * 2 ** 30 });
	const session = await loginV2(sandbox.gateway, email, password);
	return { sandbox, account, session, close: () => sandbox.close() };
}

/** Root-level file nodes of the account as the server holds them (names need the key: use sandbox.client().list()). */
export async function filesNamed(fixture: TransferFixture, name: string, parent = fixture.account.rootHandle): Promise<string[]> {
	const entries = await fixture.sandbox.client(fixture.account.email).list();
	return entries.filter((e) => e.type === 0 && e.name === name && e.parent === parent).map((e) => e.handle);
}
