/**
 * Sandbox + logged-in transport for the transfer tests. Logins go through the core's session code
 * (`core/mega/session.ts`), as every real caller's do.
 */
import { MegaApiTransport } from '../../../../core/mega/api/transport';
import { login, type MegaCredentials } from '../../../../core/mega/session';
import { startMegaSandbox, type MegaSandbox, type MegaSandboxOptions, type SandboxAccount } from '../../../../sandbox/mega';

export interface LoggedIn {
	api: MegaApiTransport;
	masterKey: Buffer;
	userHandle: string;
}

/** A fresh transport on `gateway`, logged in with `credentials` (no per-process session cache). */
export async function logIn(gateway: string, credentials: MegaCredentials): Promise<LoggedIn> {
	const api = new MegaApiTransport({ gateway });
	const session = await login(api, credentials);
	return { api, masterKey: session.masterKey, userHandle: session.userHandle };
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
	const session = await logIn(sandbox.gateway, { kind: 'password', email, password });
	return { sandbox, account, session, close: () => sandbox.close() };
}

/** Root-level file nodes of the account as the server holds them (names need the key: use sandbox.client().list()). */
export async function filesNamed(fixture: TransferFixture, name: string, parent = fixture.account.rootHandle): Promise<string[]> {
	const entries = await fixture.sandbox.client(fixture.account.email).list();
	return entries.filter((e) => e.type === 0 && e.name === name && e.parent === parent).map((e) => e.handle);
}
