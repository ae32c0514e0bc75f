import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { httpRequest, proxyForUrl, readAll } from '../../../core/mega/api/http';
import { MegaAbortError, MegaNetworkError, MegaTimeoutError } from '../../../core/mega/errors';

function listen(server: net.Server): Promise<number> {
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

const openSockets = new Set<net.Socket>();

function close(server: net.Server): Promise<void> {
	return new Promise((resolve) => server.close(() => resolve()));
}

function track(server: net.Server): net.Server {
	server.on('connection', (socket: net.Socket) => {
		openSockets.add(socket);
		socket.once('close', () => openSockets.delete(socket));
	});
	return server;
}

describe('proxyForUrl', () => {
	const target = new URL('https://g.api.mega.co.nz/cs');

	it('uses HTTPS_PROXY for https and HTTP_PROXY for http targets', () => {
		const env = { HTTPS_PROXY: 'http://secure-proxy:3128', HTTP_PROXY: 'plain-proxy:8080' };
		expect(proxyForUrl(target, env)?.href).toBe('http://secure-proxy:3128/');
		expect(proxyForUrl(new URL('http://gfs1.userstorage.mega.co.nz/dl/x'), env)?.href).toBe('http://plain-proxy:8080/');
	});

	it('accepts lower-case variables and honours NO_PROXY suffixes, ports and *', () => {
		expect(proxyForUrl(target, { https_proxy: 'http://p:1' })?.host).toBe('p:1');
		expect(proxyForUrl(target, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'localhost,.mega.co.nz' })).toBeUndefined();
		expect(proxyForUrl(target, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'mega.co.nz' })).toBeUndefined();
		expect(proxyForUrl(target, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'g.api.mega.co.nz:8443' })?.host).toBe('p:1');
		expect(proxyForUrl(target, { HTTPS_PROXY: 'http://p:1', no_proxy: '*' })).toBeUndefined();
		expect(proxyForUrl(target, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com' })?.host).toBe('p:1');
		expect(proxyForUrl(target, {})).toBeUndefined();
	});
});

describe('httpRequest', () => {
	let server: http.Server;
	let port: number;
	const seen: Array<{ method?: string; url?: string; body: string }> = [];

	beforeAll(async () => {
		server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				seen.push({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString() });
				if (req.url === '/hang') return; // never answers
				if (req.url === '/reset') {
					res.writeHead(200, { 'Content-Length': '1000' });
					res.write('partial');
					setTimeout(() => req.socket.destroy(), 20);
					return;
				}
				if (req.url === '/slow-body') {
					res.writeHead(200);
					res.write('first');
					return;
				}
				res.writeHead(402, { 'X-Hashcash': '1:255:1:abc' });
				res.end(`echo:${Buffer.concat(chunks).toString()}`);
			});
		});
		port = await listen(server);
	});

	afterAll(async () => {
		server.closeAllConnections();
		await close(server);
	});

	it('posts a Buffer, a string and a stream and returns status, headers and the body', async () => {
		const fromBuffer = await httpRequest(`http://127.0.0.1:${port}/a?x=1`, { method: 'POST', body: Buffer.from('abc') });
		expect(fromBuffer.status).toBe(402);
		expect(fromBuffer.headers['x-hashcash']).toBe('1:255:1:abc');
		expect((await readAll(fromBuffer.body)).toString()).toBe('echo:abc');
		const fromStream = await httpRequest(`http://127.0.0.1:${port}/b`, { method: 'POST', body: Readable.from([Buffer.from('st'), Buffer.from('ream')]) });
		expect((await readAll(fromStream.body)).toString()).toBe('echo:stream');
		const fromString = await httpRequest(`http://127.0.0.1:${port}/c`, { body: 'text' });
		expect((await readAll(fromString.body)).toString()).toBe('echo:text');
		expect(seen.find((s) => s.url === '/a?x=1')?.method).toBe('POST');
	});

	it('fails with MegaNetworkError when nothing listens', async () => {
		const closed = http.createServer();
		const closedPort = await listen(closed);
		await close(closed);
		await expect(httpRequest(`http://127.0.0.1:${closedPort}/`)).rejects.toBeInstanceOf(MegaNetworkError);
	});

	it('fails with MegaTimeoutError on an idle connection', async () => {
		const error = await httpRequest(`http://127.0.0.1:${port}/hang`, { timeoutMs: 150 }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(MegaTimeoutError);
		expect((error as MegaTimeoutError).retryable).toBe(true);
	});

	it('aborts a pending request and a body being read', async () => {
		const controller = new AbortController();
		const pending = httpRequest(`http://127.0.0.1:${port}/hang`, { signal: controller.signal });
		setTimeout(() => controller.abort(), 50);
		await expect(pending).rejects.toBeInstanceOf(MegaAbortError);

		const bodyController = new AbortController();
		const response = await httpRequest(`http://127.0.0.1:${port}/slow-body`, { signal: bodyController.signal });
		setTimeout(() => bodyController.abort(), 50);
		await expect(readAll(response.body)).rejects.toBeInstanceOf(MegaAbortError);

		const already = new AbortController();
		already.abort();
		await expect(httpRequest(`http://127.0.0.1:${port}/a`, { signal: already.signal })).rejects.toBeInstanceOf(MegaAbortError);
	});

	it('reports a connection dropped mid-body as a MegaNetworkError', async () => {
		const response = await httpRequest(`http://127.0.0.1:${port}/reset`);
		const error = await readAll(response.body).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(MegaNetworkError);
	});
});

describe('proxies', () => {
	let dir: string;
	let cert: Buffer;
	let key: Buffer;
	let target: https.Server;
	let targetPort: number;
	let proxy: http.Server;
	let proxyPort: number;
	const connects: string[] = [];
	const forwarded: string[] = [];
	let plain: http.Server;
	let plainPort: number;
	const savedEnv = { ...process.env };

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'mega-http-test-'));
		execFileSync('openssl', [
			'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
			'-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
			'-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
		], { stdio: 'ignore' });
		cert = readFileSync(join(dir, 'cert.pem'));
		key = readFileSync(join(dir, 'key.pem'));
		target = https.createServer({ cert, key }, (req, res) => res.end(`secure:${req.method}:${req.url}`));
		targetPort = await listen(track(target));
		plain = http.createServer((req, res) => res.end(`plain:${req.url}`));
		plainPort = await listen(track(plain));

		// A minimal forward proxy: CONNECT tunnels for https, absolute-form forwarding for http.
		proxy = http.createServer((req, res) => {
			forwarded.push(req.url ?? '');
			const url = new URL(req.url ?? '');
			const upstream = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: req.headers }, (up) => {
				res.writeHead(up.statusCode ?? 502, up.headers);
				up.pipe(res);
			});
			req.pipe(upstream);
		});
		proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
			connects.push(req.url ?? '');
			const [host, portText] = (req.url ?? '').split(':');
			const upstream = net.connect(Number(portText), host === 'localhost' ? '127.0.0.1' : host, () => {
				socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
				upstream.write(head);
				upstream.pipe(socket);
				socket.pipe(upstream);
			});
			openSockets.add(upstream);
			upstream.once('close', () => openSockets.delete(upstream));
			upstream.on('error', () => socket.destroy());
			socket.on('error', () => upstream.destroy());
		});
		proxyPort = await listen(track(proxy));
	});

	afterAll(async () => {
		process.env = savedEnv;
		for (const socket of openSockets) socket.destroy();
		await Promise.all([close(target), close(plain), close(proxy)]);
		rmSync(dir, { recursive: true, force: true });
	});

	afterEach(() => {
		process.env = { ...savedEnv };
	});

	it('tunnels an https request through HTTPS_PROXY with CONNECT', async () => {
		process.env.HTTPS_PROXY = `http://127.0.0.1:${proxyPort}`;
		delete process.env.NO_PROXY;
		delete process.env.no_proxy;
		const response = await httpRequest(`https://localhost:${targetPort}/cs?id=1`, { method: 'POST', body: '[]', ca: cert });
		expect(response.status).toBe(200);
		expect((await readAll(response.body)).toString()).toBe('secure:POST:/cs?id=1');
		expect(connects).toContain(`localhost:${targetPort}`);
	});

	it('sends plain http through HTTP_PROXY in absolute form, and NO_PROXY bypasses it', async () => {
		process.env.HTTP_PROXY = `http://127.0.0.1:${proxyPort}`;
		delete process.env.NO_PROXY;
		delete process.env.no_proxy;
		const viaProxy = await httpRequest(`http://127.0.0.1:${plainPort}/dl/abc`);
		expect((await readAll(viaProxy.body)).toString()).toBe('plain:/dl/abc');
		expect(forwarded).toContain(`http://127.0.0.1:${plainPort}/dl/abc`);

		const before = forwarded.length;
		process.env.NO_PROXY = '127.0.0.1';
		const direct = await httpRequest(`http://127.0.0.1:${plainPort}/direct`);
		expect((await readAll(direct.body)).toString()).toBe('plain:/direct');
		expect(forwarded.length).toBe(before);
	});

	it('fails with a typed network error when the proxy refuses the tunnel', async () => {
		const refusing = http.createServer();
		refusing.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
		const refusingPort = await listen(refusing);
		const error = await httpRequest(`https://localhost:${targetPort}/`, { proxy: `http://127.0.0.1:${refusingPort}`, ca: cert }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(MegaNetworkError);
		expect((error as Error).message).toContain('403');
		await close(refusing);
	});
});
