/**
 * The `megaApi` credential turned into a logged-in MegaClient.
 *
 * Caching: `MegaClient.connect` keeps one session per credential (keyed by a SHA-256 of the credential and gateway,
 * core/mega/session.ts) and one live tree per account (core/mega/client.ts) for the whole process. So every item,
 * execution and node (MEGA Cloud, MEGA Trigger, list searches) using the same credential shares one login and one
 * tree fetch; later uses cost one small `sc` request. Nothing here keeps the credential itself, and nothing secret
 * goes into messages.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { MegaApiTransport, DEFAULT_GATEWAY, type RetryPolicy } from '../../core/mega/api/transport';
import { MegaClient } from '../../core/mega/client';
import { MegaCredentialError, MegaError, MegaHttpError, MegaNetworkError, MegaRetryExhaustedError, MegaTimeoutError } from '../../core/mega/errors';
import { credentialCacheKey, login, logout, type MegaCredentials } from '../../core/mega/session';

export const MEGA_API_CREDENTIAL = 'megaApi';

export type MegaCredentialMode = 'account' | 'session' | 'anonymous';

export interface MegaConnection {
	credentials: MegaCredentials;
	/** API gateway with a trailing slash. */
	gateway: string;
	mode: MegaCredentialMode;
}

/** Anything that can hand out the credential: execute, load-options and poll contexts. */
export interface MegaCredentialSource {
	getCredentials(type: string, itemIndex?: number): Promise<ICredentialDataDecryptedObject>;
}

export interface MegaClientRequestOptions {
	retry?: Partial<RetryPolicy>;
	/** A fresh login that bypasses (and then replaces) the process cache. */
	fresh?: boolean;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

function normaliseGateway(value: unknown): string {
	const raw = text(value) || DEFAULT_GATEWAY;
	const url = URL.canParse(raw) ? new URL(raw) : undefined;
	if (!url) {
		throw new MegaCredentialError(`The API Gateway URL "${raw}" is not a valid URL`, 'EGATEWAY', `Leave it at ${DEFAULT_GATEWAY} unless you use a test server.`);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new MegaCredentialError(`The API Gateway URL must start with https:// (got ${url.protocol})`, 'EGATEWAY', `Use ${DEFAULT_GATEWAY}.`);
	}
	return raw.endsWith('/') ? raw : `${raw}/`;
}

/** Reads the credential's fields into the core's credential shape; refuses empty required fields with a fix. */
export function megaConnectionFromCredential(data: ICredentialDataDecryptedObject): MegaConnection {
	const mode = (text(data.mode) || 'account') as MegaCredentialMode;
	const gateway = normaliseGateway(data.gateway);
	switch (mode) {
		case 'account': {
			const email = text(data.email);
			const password = typeof data.password === 'string' ? data.password : '';
			if (!email || !password) {
				throw new MegaCredentialError('The MEGA credential needs an email and a password', 'ECREDENTIALS', 'Fill in both fields, or switch to a session string.');
			}
			const totpSecret = text(data.totpSecret);
			return { mode, gateway, credentials: { kind: 'password', email, password, ...(totpSecret ? { totpSecret } : {}) } };
		}
		case 'session': {
			const session = text(data.sessionToken);
			if (!session) {
				throw new MegaCredentialError(
					'The MEGA credential has no session string',
					'ESESSIONFORMAT',
					'Run "npx -p n8n-nodes-mega mega-session --email you@example.com" and paste the line it prints.',
				);
			}
			return { mode, gateway, credentials: { kind: 'session', session } };
		}
		case 'anonymous':
			return { mode, gateway, credentials: { kind: 'ephemeral' } };
		default:
			throw new MegaCredentialError(`Unknown MEGA credential mode "${String(mode)}"`, 'ECREDENTIALS', 'Choose Account, Session String or Anonymous.');
	}
}

/** The process-cache key of a credential: a hash, never the credential itself (same key the core uses). */
export function megaClientCacheKey(data: ICredentialDataDecryptedObject): string {
	const connection = megaConnectionFromCredential(data);
	return credentialCacheKey(connection.credentials, connection.gateway);
}

/** A logged-in client for the credential data, sharing this process's session and live tree. */
export async function megaClientFromCredentials(data: ICredentialDataDecryptedObject, options: MegaClientRequestOptions = {}): Promise<MegaClient> {
	const { credentials, gateway } = megaConnectionFromCredential(data);
	// No abort signal on the login: it is shared by every execution using this credential, and one cancelled
	// execution must not fail the others' login.
	return await MegaClient.connect(credentials, { gateway, retry: options.retry, fresh: options.fresh });
}

/** The client for a node's `megaApi` credential (pass `credentials` when the caller already read them). */
export async function getMegaClient(ctx: MegaCredentialSource, credentials?: ICredentialDataDecryptedObject): Promise<MegaClient> {
	const data = credentials ?? (await ctx.getCredentials(MEGA_API_CREDENTIAL));
	return await megaClientFromCredentials(data);
}

/** Retries for the credential test: an unreachable gateway should be reported in seconds, not after a minute. */
const TEST_RETRY: Partial<RetryPolicy> = { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 1_000, maxTotalMs: 8_000 };

function unreachable(error: unknown): boolean {
	if (error instanceof MegaRetryExhaustedError) return unreachable(error.original);
	return error instanceof MegaNetworkError || error instanceof MegaTimeoutError || (error instanceof MegaHttpError && error.status >= 500);
}

/** One sentence saying why a login failed and what to change; never contains a secret. */
export function explainMegaLoginFailure(error: unknown, gateway: string): string {
	if (unreachable(error)) {
		return `Could not reach the MEGA API at ${gateway} (${(error as Error).message}). Check the API Gateway URL (normally ${DEFAULT_GATEWAY}) and that this n8n server can reach it.`;
	}
	if (error instanceof MegaHttpError) {
		return `The MEGA API at ${gateway} answered HTTP ${error.status}. Check the API Gateway URL (normally ${DEFAULT_GATEWAY}).`;
	}
	if (error instanceof MegaError) {
		const message = error.message.replace(/[.\s]+$/, '');
		return error.hint ? `${message}. ${error.hint}` : `${message}.`;
	}
	return error instanceof Error ? error.message : String(error);
}

/**
 * The credential test: a real login with its own short-lived transport (so a test never replaces a working session
 * in the cache). A password login's test session is logged out again; a session string is only checked (`ug`),
 * never logged out; anonymous mode creates a throwaway anonymous account.
 */
export async function testMegaApiCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	let connection: MegaConnection;
	try {
		connection = megaConnectionFromCredential(data);
	} catch (error) {
		return { status: 'Error', message: explainMegaLoginFailure(error, text(data.gateway) || DEFAULT_GATEWAY) };
	}
	const api = new MegaApiTransport({ gateway: connection.gateway, retry: TEST_RETRY, timeoutMs: 20_000 });
	try {
		const session = await login(api, connection.credentials);
		if (connection.mode === 'account') {
			await logout(api).catch(() => undefined);
			return { status: 'OK', message: `Logged in to MEGA as ${session.email ?? 'this account'}` };
		}
		if (connection.mode === 'session') {
			return { status: 'OK', message: `The session string is valid${session.email ? ` (account ${session.email})` : ''}` };
		}
		return { status: 'OK', message: `Created an anonymous MEGA account at ${connection.gateway}` };
	} catch (error) {
		return { status: 'Error', message: explainMegaLoginFailure(error, connection.gateway) };
	}
}

/** `credentialTest` method for nodes that use `megaApi` (`testedBy: 'megaApiTest'`). */
export async function megaApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return await testMegaApiCredential(credential.data ?? {});
}
