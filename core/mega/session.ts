/**
 * MEGA sessions: login (v1 and v2 accounts, 2FA by one-time code or TOTP secret), anonymous ephemeral accounts,
 * export/resume as an opaque string, logout, and a per-process cache keyed by a hash of the credential so that
 * concurrent callers share one login and an expired session (ESID) triggers exactly one re-login.
 * Logins are expensive on MEGA (hashcash, rate limits): reuse sessions.
 */
import { createHash, randomBytes } from 'node:crypto';

import { MegaApiTransport, type MegaApiTransportOptions, type RequestOptions } from './api/transport';
import {
	AesEcb,
	base64urlDecode,
	base64urlEncode,
	decryptKey,
	decryptSessionId,
	deriveKeyV1Async,
	deriveKeyV2Async,
	encryptKey,
	sessionIdUserHandle,
	unwrapPrivateKey,
	userHashV1,
	type MegaRsaPrivateKey,
} from './crypto';
import { MegaApiError, MegaCredentialError, MegaProtocolError } from './errors';
import { totp } from './totp';

export type MegaCredentials =
	| { kind: 'password'; email: string; password: string; totpSecret?: string; otp?: string }
	| { kind: 'session'; session: string }
	| { kind: 'ephemeral'; session?: string };

export interface MegaSessionData {
	/** base64url session id (58 chars for a 43-byte sid). */
	sid: string;
	masterKey: Buffer;
	userHandle: string;
	email?: string;
	name?: string;
	ephemeral: boolean;
	/** Present after a password login or a resume (from `ug`); needed only for RSA-wrapped node keys. */
	privateKey?: MegaRsaPrivateKey;
}

export class MegaLoginError extends MegaCredentialError {
	readonly errno?: number;
	constructor(message: string, code: string, hint?: string, errno?: number) {
		super(message, code, hint);
		this.errno = errno;
	}
}

const SESSION_PREFIX = 'mega-session:v1:';

/** The session as an opaque string (session id + master key). It grants full access: store it like a password. */
export function exportSession(session: MegaSessionData): string {
	const payload: Record<string, unknown> = {
		s: session.sid,
		k: base64urlEncode(session.masterKey),
		u: session.userHandle,
	};
	if (session.email) payload.e = session.email;
	if (session.ephemeral) payload.x = 1;
	return SESSION_PREFIX + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function importSession(text: string): MegaSessionData {
	const fail = () =>
		new MegaLoginError('The session string is not valid', 'ESESSIONFORMAT', 'Create a new session string with the mega-session command.');
	const trimmed = (text ?? '').trim();
	if (!trimmed.startsWith(SESSION_PREFIX)) throw fail();
	let payload: Record<string, unknown>;
	try {
		payload = JSON.parse(Buffer.from(trimmed.slice(SESSION_PREFIX.length), 'base64url').toString('utf8')) as Record<string, unknown>;
	} catch {
		throw fail();
	}
	if (typeof payload.s !== 'string' || typeof payload.k !== 'string' || typeof payload.u !== 'string') throw fail();
	let masterKey: Buffer;
	try {
		masterKey = base64urlDecode(payload.k, 16);
		base64urlDecode(payload.s, 43);
	} catch {
		throw fail();
	}
	return {
		sid: payload.s,
		masterKey,
		userHandle: payload.u,
		email: typeof payload.e === 'string' ? payload.e : undefined,
		ephemeral: payload.x === 1,
	};
}

function loginErrorFrom(error: unknown, usedMfa: boolean): unknown {
	if (!(error instanceof MegaApiError)) return error;
	switch (error.errno) {
		case -9:
			return new MegaLoginError('Wrong email or password for MEGA', 'ECREDENTIALS', 'Check the email address and the password.', -9);
		case -5:
			// MEGA answers a wrong 2FA code with -5 (EFAILED); -26 means a code is required.
			return usedMfa ? new MegaLoginError('MEGA rejected the two-factor (2FA) code', 'EMFAINVALID', 'Check the TOTP secret or enter a current code.', -5) : error;
		case -26:
			return usedMfa
				? new MegaLoginError('MEGA rejected the two-factor (2FA) code', 'EMFAINVALID', 'Check the TOTP secret or enter a current code.', -26)
				: new MegaLoginError(
						'This MEGA account has two-factor authentication: a 2FA code is required',
						'EMFAREQUIRED',
						'Add the TOTP secret to the credential, or log in once with mega-session and use a session string.',
						-26,
					);
		case -8:
			return new MegaLoginError('MEGA refused this login method for the account', 'EEXPIRED', 'The account uses the current (v2) login; retry later.', -8);
		case -6:
			return new MegaLoginError('Too many login attempts; MEGA blocks logins for a while', 'ETOOMANY', 'Wait an hour, and reuse sessions instead of logging in repeatedly.', -6);
		case -16:
			return new MegaLoginError('This MEGA account is blocked', 'EBLOCKED', 'Log in on mega.nz to see why.', -16);
		case -15:
			return new MegaLoginError('The MEGA session has expired or was logged out', 'ESID', 'Create a new session string with mega-session.', -15);
		default:
			return error;
	}
}

interface UsReply {
	k?: string;
	privk?: string;
	csid?: string;
	tsid?: string;
	u?: string;
}

function verifyTsid(tsid: Buffer, masterKey: Buffer): boolean {
	if (tsid.length !== 43) return false;
	const expected = new AesEcb(masterKey).encrypt(tsid.subarray(0, 16));
	return expected.equals(tsid.subarray(27, 43));
}

async function finishLogin(reply: UsReply, passwordKey: Buffer, email: string | undefined): Promise<MegaSessionData> {
	if (typeof reply.k !== 'string') throw new MegaProtocolError('The login reply has no master key');
	const masterKey = decryptKey(passwordKey, base64urlDecode(reply.k, 16));
	if (typeof reply.csid === 'string' && typeof reply.privk === 'string') {
		let privateKey: MegaRsaPrivateKey;
		try {
			privateKey = unwrapPrivateKey(masterKey, base64urlDecode(reply.privk));
		} catch {
			throw new MegaLoginError('Wrong email or password for MEGA', 'ECREDENTIALS', 'Check the email address and the password.');
		}
		const sid = decryptSessionId(privateKey, base64urlDecode(reply.csid));
		const userHandle = sessionIdUserHandle(sid);
		if (typeof reply.u === 'string' && reply.u !== userHandle) {
			throw new MegaProtocolError('The session id does not belong to the user MEGA named');
		}
		return { sid: base64urlEncode(sid), masterKey, userHandle, email, ephemeral: false, privateKey };
	}
	if (typeof reply.tsid === 'string') {
		const tsid = base64urlDecode(reply.tsid);
		if (!verifyTsid(tsid, masterKey)) {
			throw new MegaLoginError('Wrong email or password for MEGA', 'ECREDENTIALS', 'Check the email address and the password.');
		}
		return { sid: reply.tsid, masterKey, userHandle: tsid.subarray(16, 27).toString('ascii'), email, ephemeral: email === undefined };
	}
	throw new MegaProtocolError('The login reply has neither csid nor tsid');
}

async function passwordLogin(
	api: MegaApiTransport,
	credentials: Extract<MegaCredentials, { kind: 'password' }>,
	options: RequestOptions,
): Promise<MegaSessionData> {
	const email = credentials.email.trim().toLowerCase();
	if (!email || !credentials.password) {
		throw new MegaLoginError('Email and password are required for a MEGA login', 'ECREDENTIALS');
	}
	const requestOptions: RequestOptions = { ...options, noSession: true, noRelogin: true };
	const prelogin = await api.request<{ v?: number; s?: string }>({ a: 'us0', user: email }, requestOptions);
	let passwordKey: Buffer;
	let userHash: string;
	if (prelogin.v === 2 && typeof prelogin.s === 'string') {
		({ passwordKey, userHash } = await deriveKeyV2Async(credentials.password, base64urlDecode(prelogin.s)));
	} else if (prelogin.v === 1 || prelogin.v === undefined) {
		passwordKey = await deriveKeyV1Async(credentials.password, { signal: options.signal });
		userHash = userHashV1(email, passwordKey);
	} else {
		throw new MegaProtocolError(`Unknown MEGA account version ${String(prelogin.v)}`);
	}
	const command: Record<string, unknown> & { a: string } = { a: 'us', user: email, uh: userHash };
	const code = credentials.otp?.trim() || (credentials.totpSecret ? totp(credentials.totpSecret) : undefined);
	if (code) command.mfa = code;
	let reply: UsReply;
	try {
		reply = await api.request<UsReply>(command, requestOptions);
	} catch (error) {
		throw loginErrorFrom(error, code !== undefined);
	}
	return finishLogin(reply, passwordKey, email);
}

/** Creates an anonymous (ephemeral) account: `up` with a random master key, then `us` by user handle → tsid. */
async function ephemeralLogin(api: MegaApiTransport, options: RequestOptions): Promise<MegaSessionData> {
	const masterKey = randomBytes(16);
	const passwordKey = randomBytes(16);
	const ssc = randomBytes(16);
	const requestOptions: RequestOptions = { ...options, noSession: true, noRelogin: true };
	const userHandle = await api.request<string>(
		{
			a: 'up',
			k: base64urlEncode(encryptKey(passwordKey, masterKey)),
			ts: base64urlEncode(Buffer.concat([ssc, new AesEcb(masterKey).encrypt(ssc)])),
		},
		requestOptions,
	);
	if (typeof userHandle !== 'string') throw new MegaProtocolError('MEGA did not return a user handle for the anonymous account');
	const reply = await api.request<UsReply>({ a: 'us', user: userHandle }, requestOptions);
	const session = await finishLogin(reply, passwordKey, undefined);
	return { ...session, ephemeral: true };
}

/** Checks an imported session with `ug` (and learns the user's name, email and RSA key). */
async function resumeSession(api: MegaApiTransport, session: MegaSessionData, options: RequestOptions): Promise<MegaSessionData> {
	api.sid = session.sid;
	let user: { u?: string; email?: string; name?: string; privk?: string };
	try {
		user = await api.request({ a: 'ug' }, { ...options, noRelogin: true });
	} catch (error) {
		throw loginErrorFrom(error, false);
	}
	if (typeof user.u === 'string' && user.u !== session.userHandle) {
		throw new MegaLoginError('The session string belongs to another account', 'ESESSIONFORMAT');
	}
	let privateKey: MegaRsaPrivateKey | undefined;
	if (typeof user.privk === 'string') {
		try {
			privateKey = unwrapPrivateKey(session.masterKey, base64urlDecode(user.privk));
		} catch {
			throw new MegaLoginError('The session string does not match the account key', 'ESESSIONFORMAT', 'Create a new session string with mega-session.');
		}
	}
	return { ...session, email: user.email ?? session.email, name: user.name, privateKey };
}

/** Logs in (or resumes) with any credential kind and sets the transport's session id. */
export async function login(api: MegaApiTransport, credentials: MegaCredentials, options: RequestOptions = {}): Promise<MegaSessionData> {
	let session: MegaSessionData;
	switch (credentials.kind) {
		case 'password':
			session = await passwordLogin(api, credentials, options);
			break;
		case 'session':
			return resumeSession(api, importSession(credentials.session), options);
		case 'ephemeral':
			if (credentials.session) return resumeSession(api, importSession(credentials.session), options);
			session = await ephemeralLogin(api, options);
			break;
		default:
			throw new MegaCredentialError('Unknown MEGA credential kind');
	}
	api.sid = session.sid;
	return session;
}

/** Ends the session at MEGA (`sml`); the session id is invalid afterwards. */
export async function logout(api: MegaApiTransport, options: RequestOptions = {}): Promise<void> {
	if (!api.sid) return;
	try {
		await api.request({ a: 'sml' }, { ...options, noRelogin: true });
	} finally {
		api.sid = undefined;
	}
}

/** A logged-in account: its transport, its session data, and the single-flight re-login on ESID. */
export class MegaAccountSession {
	data: MegaSessionData;
	private relogin: Promise<void> | undefined;

	constructor(
		readonly api: MegaApiTransport,
		readonly credentials: MegaCredentials,
		data: MegaSessionData,
		readonly cacheKey: string,
	) {
		this.data = data;
		api.onSessionExpired = (expiredSid) => this.handleExpired(expiredSid);
	}

	private async handleExpired(expiredSid: string | undefined): Promise<void> {
		if (this.relogin) return this.relogin;
		if (this.credentials.kind !== 'password') {
			sessionCache.delete(this.cacheKey);
			throw new MegaLoginError(
				'The MEGA session has expired or was logged out',
				'ESID',
				this.credentials.kind === 'session' ? 'Create a new session string with mega-session.' : 'Start a new anonymous session.',
				-15,
			);
		}
		const credentials = this.credentials;
		this.relogin = (async () => {
			// Another request may already have refreshed the session while this one was in flight.
			if (this.api.sid !== expiredSid) return;
			this.api.sid = undefined;
			this.data = await login(this.api, credentials);
		})().finally(() => {
			this.relogin = undefined;
		});
		return this.relogin;
	}

	exportSession(): string {
		return exportSession(this.data);
	}

	async logout(): Promise<void> {
		sessionCache.delete(this.cacheKey);
		await logout(this.api);
	}
}

const sessionCache = new Map<string, Promise<MegaAccountSession>>();

/** A hash of the credential (and gateway): the cache key. The credential itself is never kept as a key. */
export function credentialCacheKey(credentials: MegaCredentials, gateway: string): string {
	const material =
		credentials.kind === 'password'
			? ['password', credentials.email.trim().toLowerCase(), credentials.password, credentials.totpSecret ?? '']
			: credentials.kind === 'session'
				? ['session', credentials.session.trim()]
				: // One anonymous account per process and gateway, unless a stored one is given.
					['ephemeral', credentials.session?.trim() ?? 'this-process'];
	return createHash('sha256').update(JSON.stringify([gateway, ...material])).digest('base64url');
}

export interface OpenSessionOptions extends MegaApiTransportOptions {
	signal?: AbortSignal;
	/** Bypass the per-process cache (a fresh login). */
	fresh?: boolean;
}

/** The cached, logged-in session for this credential; concurrent callers share one login. */
export function openSession(credentials: MegaCredentials, options: OpenSessionOptions = {}): Promise<MegaAccountSession> {
	const api = new MegaApiTransport(options);
	const key = credentialCacheKey(credentials, api.gateway);
	if (!options.fresh) {
		const cached = sessionCache.get(key);
		if (cached) return cached;
	}
	const pending = login(api, credentials, { signal: options.signal }).then(
		(data) => new MegaAccountSession(api, credentials, data, key),
	);
	sessionCache.set(key, pending);
	pending.catch(() => {
		if (sessionCache.get(key) === pending) sessionCache.delete(key);
	});
	return pending;
}

/** Forgets every cached session (tests; after a credential change). Does not log out. */
export function clearSessionCache(): void {
	sessionCache.clear();
}
