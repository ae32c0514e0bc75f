/**
 * HTTP on node:http / node:https with keep-alive agents, proxy support from the environment
 * (HTTP_PROXY / HTTPS_PROXY / NO_PROXY; https targets are tunnelled with CONNECT), abort signals and idle timeouts.
 * Node 20's global fetch ignores proxy variables, and nock intercepts node:http, hence this module.
 * HTTP status codes are returned, not thrown: callers decide what a 402 or a 509 means.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { Readable, type Duplex } from 'node:stream';

import { MegaAbortError, MegaNetworkError, MegaTimeoutError } from '../errors';

export interface HttpRequestOptions {
	method?: string;
	headers?: Record<string, string | number>;
	body?: Buffer | string | Readable;
	signal?: AbortSignal;
	/** Idle timeout: no bytes in either direction for this long fails the request. */
	timeoutMs?: number;
	/** Override the environment's proxy: a URL, or `false` for a direct connection. */
	proxy?: string | false;
	/** Extra trusted CA certificates (PEM), e.g. a corporate proxy's or a test server's. */
	ca?: string | Buffer | Array<string | Buffer>;
}

export interface HttpResponse {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: Readable;
}

const DEFAULT_TIMEOUT_MS = 60_000;

const directHttpAgent = new http.Agent({ keepAlive: true, maxSockets: 32, scheduling: 'lifo' });
const directHttpsAgent = new https.Agent({ keepAlive: true, maxSockets: 32, scheduling: 'lifo' });
const proxyHttpAgents = new Map<string, http.Agent>();
const tunnelAgents = new Map<string, TunnelAgent>();

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
	const value = env[name] ?? env[name.toLowerCase()];
	return value && value.trim() !== '' ? value.trim() : undefined;
}

function defaultPort(protocol: string): number {
	return protocol === 'https:' ? 443 : 80;
}

function isExcludedByNoProxy(target: URL, noProxy: string | undefined): boolean {
	if (!noProxy) return false;
	const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
	const port = Number(target.port || defaultPort(target.protocol));
	for (const rawEntry of noProxy.split(/[\s,]+/)) {
		const entry = rawEntry.trim().toLowerCase();
		if (!entry) continue;
		if (entry === '*') return true;
		let pattern = entry;
		let entryPort: number | undefined;
		const portMatch = /^(.*):(\d+)$/.exec(entry);
		if (portMatch && !entry.includes(']') && portMatch[1].split(':').length === 1) {
			pattern = portMatch[1];
			entryPort = Number(portMatch[2]);
		}
		if (entryPort !== undefined && entryPort !== port) continue;
		pattern = pattern.replace(/^\*/, '');
		if (pattern.startsWith('.')) {
			if (host.endsWith(pattern) || host === pattern.slice(1)) return true;
		} else if (host === pattern || host.endsWith(`.${pattern}`)) {
			return true;
		}
	}
	return false;
}

/** The proxy that the environment asks for when requesting `url`, or undefined for a direct connection. */
export function proxyForUrl(url: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
	const raw =
		url.protocol === 'https:'
			? (envValue(env, 'HTTPS_PROXY') ?? envValue(env, 'ALL_PROXY'))
			: (envValue(env, 'HTTP_PROXY') ?? envValue(env, 'ALL_PROXY'));
	if (!raw) return undefined;
	if (isExcludedByNoProxy(url, envValue(env, 'NO_PROXY'))) return undefined;
	try {
		return new URL(raw.includes('://') ? raw : `http://${raw}`);
	} catch {
		return undefined;
	}
}

function proxyAuthorization(proxy: URL): string | undefined {
	if (!proxy.username && !proxy.password) return undefined;
	const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
	return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

type ConnectCallback = (error: Error | null, stream: Duplex) => void;

/** An https agent whose sockets are TLS sessions inside a CONNECT tunnel through an HTTP proxy; pooled like any agent. */
class TunnelAgent extends https.Agent {
	constructor(private readonly proxy: URL) {
		super({ keepAlive: true, maxSockets: 32, scheduling: 'lifo' });
	}

	// Node's Agent accepts an asynchronous createConnection that reports through the callback.
	createConnection(requestOptions: https.RequestOptions, callback?: ConnectCallback): undefined {
		const options = requestOptions as tls.ConnectionOptions & { host?: string; port?: number };
		const targetHost = options.host ?? 'localhost';
		const targetPort = options.port ?? 443;
		const authority = `${targetHost.includes(':') ? `[${targetHost}]` : targetHost}:${targetPort}`;
		const headers: Record<string, string> = { Host: authority };
		const auth = proxyAuthorization(this.proxy);
		if (auth) headers['Proxy-Authorization'] = auth;
		const proxyIsTls = this.proxy.protocol === 'https:';
		const connectRequest = (proxyIsTls ? https : http).request({
			host: this.proxy.hostname,
			port: Number(this.proxy.port || defaultPort(this.proxy.protocol)),
			method: 'CONNECT',
			path: authority,
			headers,
			agent: false,
		});
		let settled = false;
		const fail = (error: Error) => {
			if (settled) return;
			settled = true;
			callback?.(new MegaNetworkError(`Proxy tunnel to ${authority} failed: ${error.message}`, error), undefined as unknown as Duplex);
		};
		connectRequest.once('connect', (response, socket) => {
			if (response.statusCode !== 200) {
				socket.destroy();
				fail(new Error(`proxy answered ${response.statusCode ?? 'nothing'} to CONNECT`));
				return;
			}
			const secure = tls.connect({ ...options, socket, servername: options.servername ?? targetHost });
			secure.once('secureConnect', () => {
				if (settled) return;
				settled = true;
				callback?.(null, secure);
			});
			secure.once('error', fail);
		});
		connectRequest.once('error', fail);
		connectRequest.end();
		return undefined;
	}
}

function agentFor(target: URL, proxy: URL | undefined, ca: HttpRequestOptions['ca']): http.Agent | undefined {
	if (ca) return undefined; // custom trust: a one-off connection (see requestOptions)
	if (!proxy) return target.protocol === 'https:' ? directHttpsAgent : directHttpAgent;
	const key = proxy.href;
	if (target.protocol === 'https:') {
		let agent = tunnelAgents.get(key);
		if (!agent) {
			agent = new TunnelAgent(proxy);
			tunnelAgents.set(key, agent);
		}
		return agent;
	}
	let agent = proxyHttpAgents.get(key);
	if (!agent) {
		agent = new http.Agent({ keepAlive: true, maxSockets: 32, scheduling: 'lifo' });
		proxyHttpAgents.set(key, agent);
	}
	return agent;
}

function abortReason(signal: AbortSignal): MegaAbortError {
	const reason: unknown = signal.reason;
	if (reason instanceof MegaAbortError) return reason;
	return new MegaAbortError('The MEGA request was aborted', reason);
}

/** Sends one HTTP request; resolves once the response headers arrive. The body is a stream that honours the signal. */
export function httpRequest(url: string | URL, options: HttpRequestOptions = {}): Promise<HttpResponse> {
	const target = typeof url === 'string' ? new URL(url) : url;
	if (target.protocol !== 'http:' && target.protocol !== 'https:') {
		return Promise.reject(new MegaNetworkError(`Unsupported URL protocol ${target.protocol}`));
	}
	const { signal } = options;
	if (signal?.aborted) return Promise.reject(abortReason(signal));

	const proxy = options.proxy === false ? undefined : options.proxy ? new URL(options.proxy) : proxyForUrl(target);
	const headers: Record<string, string | number> = { ...options.headers };
	let body = options.body;
	if (typeof body === 'string') body = Buffer.from(body);
	if (Buffer.isBuffer(body) && headers['Content-Length'] === undefined && headers['content-length'] === undefined) {
		headers['Content-Length'] = body.length;
	}
	const method = options.method ?? (body !== undefined ? 'POST' : 'GET');
	const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

	let requestOptions: http.RequestOptions & tls.ConnectionOptions;
	let transport: typeof http | typeof https;
	if (proxy && target.protocol === 'http:') {
		// Plain HTTP through a proxy: absolute-form request line to the proxy.
		transport = proxy.protocol === 'https:' ? https : http;
		const auth = proxyAuthorization(proxy);
		if (auth) headers['Proxy-Authorization'] = auth;
		headers.Host = target.host;
		requestOptions = {
			host: proxy.hostname,
			port: Number(proxy.port || defaultPort(proxy.protocol)),
			path: target.href,
			method,
			headers,
			agent: agentFor(target, proxy, undefined),
		};
	} else {
		transport = target.protocol === 'https:' ? https : http;
		requestOptions = {
			host: target.hostname.replace(/^\[|\]$/g, ''),
			port: Number(target.port || defaultPort(target.protocol)),
			path: `${target.pathname}${target.search}`,
			method,
			headers,
			servername: target.hostname,
		};
		if (options.ca) {
			const tunnel = proxy ? new TunnelAgent(proxy) : undefined;
			requestOptions.ca = options.ca;
			requestOptions.agent = tunnel ?? false;
		} else {
			requestOptions.agent = agentFor(target, proxy, undefined);
		}
	}

	return new Promise<HttpResponse>((resolve, reject) => {
		let settled = false;
		let response: http.IncomingMessage | undefined;
		const request = transport.request(requestOptions);

		const onAbort = () => {
			const error = signal ? abortReason(signal) : new MegaAbortError();
			if (response) response.destroy(error);
			request.destroy(error);
		};
		const cleanup = () => signal?.removeEventListener('abort', onAbort);
		signal?.addEventListener('abort', onAbort, { once: true });

		const settleError = (error: unknown) => {
			if (settled) return;
			settled = true;
			cleanup();
			reject(toMegaError(error, target));
		};

		request.setTimeout(timeoutMs, () => {
			const error = new MegaTimeoutError(`No data from ${target.host} for ${Math.round(timeoutMs / 1000)} s`);
			if (response) response.destroy(error);
			request.destroy(error);
		});
		request.on('error', settleError);
		request.once('response', (incoming) => {
			response = incoming;
			settled = true;
			// The abort listener stays until the body ends, so an abort also stops the body stream.
			incoming.once('close', cleanup);
			incoming.on('error', () => undefined); // surfaced to whoever reads the body
			resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: wrapBody(incoming, target) });
		});

		if (body instanceof Readable) {
			body.once('error', (error) => request.destroy(error));
			body.pipe(request);
		} else {
			request.end(body);
		}
	});
}

/** Maps socket errors on the body to typed errors, so readers see MegaNetworkError / MegaTimeoutError / MegaAbortError. */
function wrapBody(incoming: http.IncomingMessage, target: URL): Readable {
	const originalDestroy = incoming._destroy.bind(incoming);
	incoming._destroy = (error, callback) => {
		originalDestroy(error ? toMegaError(error, target) : error, callback);
	};
	incoming.once('aborted', () => {
		incoming.destroy(new MegaNetworkError(`The connection to ${target.host} was closed mid-response`));
	});
	return incoming;
}

function toMegaError(error: unknown, target: URL): Error {
	if (error instanceof MegaAbortError || error instanceof MegaTimeoutError || error instanceof MegaNetworkError) return error;
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	const message = error instanceof Error ? error.message : String(error);
	if (code === 'ABORT_ERR') return new MegaAbortError('The MEGA request was aborted', error);
	return new MegaNetworkError(`Network error talking to ${target.host}: ${code ?? message}`, error);
}

/** Reads a whole response body into memory (API replies only; file bodies are streamed). */
export async function readAll(body: Readable, maxBytes = 512 * 1024 * 1024): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of body) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
		total += buffer.length;
		if (total > maxBytes) {
			body.destroy();
			throw new MegaNetworkError(`Response body is larger than ${maxBytes} bytes`);
		}
		chunks.push(buffer);
	}
	return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}
