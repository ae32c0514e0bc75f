import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';

/** One request megatools sent to MEGA's API host, as the TLS terminator passed it on to the sandbox. */
export interface ApiExchange {
	host: string | undefined;
	method: string | undefined;
	path: string;
	status: number;
	requestBody: string;
	responseBody: string;
}

export interface ApiTerminator {
	/** Every request so far, in order (the API's JSON bodies are small; storage transfers do not come here). */
	readonly exchanges: ApiExchange[];
	close(): Promise<void>;
}

/**
 * The HTTPS end of `https://g.api.mega.co.nz/`: listens on a unix socket (reached from inside megatools' network
 * namespace through the loopback relay), presents the throwaway CA's certificate, and passes each request on to
 * the sandbox's gateway over plain HTTP on 127.0.0.1, recording it.
 */
export async function startApiTerminator(options: { socketPath: string; key: string; cert: string; gateway: string }): Promise<ApiTerminator> {
	const gateway = new URL(options.gateway);
	const exchanges: ApiExchange[] = [];
	const server: Server = createServer({ key: options.key, cert: options.cert }, (req, res) => {
		const requestChunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => requestChunks.push(chunk));
		req.on('end', () => {
			const requestBody = Buffer.concat(requestChunks);
			const headers = { ...req.headers, host: gateway.host, 'content-length': String(requestBody.length) };
			delete headers['transfer-encoding'];
			const upstream = httpRequest({ host: gateway.hostname, port: gateway.port, method: req.method, path: req.url, headers }, (reply) => {
				const responseChunks: Buffer[] = [];
				reply.on('data', (chunk: Buffer) => responseChunks.push(chunk));
				reply.on('end', () => {
					const responseBody = Buffer.concat(responseChunks);
					exchanges.push({ host: req.headers.host, method: req.method, path: req.url ?? '', status: reply.statusCode ?? 0, requestBody: requestBody.toString('utf8'), responseBody: responseBody.toString('utf8') });
					const replyHeaders = { ...reply.headers, 'content-length': String(responseBody.length) };
					delete replyHeaders['transfer-encoding'];
					res.writeHead(reply.statusCode ?? 502, replyHeaders);
					res.end(responseBody);
				});
			});
			upstream.on('error', (error) => {
				exchanges.push({ host: req.headers.host, method: req.method, path: req.url ?? '', status: 502, requestBody: requestBody.toString('utf8'), responseBody: `sandbox unreachable: ${error.message}` });
				res.writeHead(502).end();
			});
			upstream.end(requestBody);
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.socketPath, () => resolve());
	});
	return {
		exchanges,
		close: () => new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		}),
	};
}
