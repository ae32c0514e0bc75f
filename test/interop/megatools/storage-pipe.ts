import { connect, createServer, type Socket } from 'node:net';

/**
 * The storage end of the sandbox for megatools' namespace: the sandbox hands out `http://127.0.0.1:<port>/ul/…` and
 * `/dl/…` URLs; inside the namespace the loopback relay listens on that port and comes here over a unix socket, and
 * each connection is piped, byte for byte, to the sandbox on the host's 127.0.0.1.
 */
export async function startStoragePipe(socketPath: string, port: number): Promise<{ close(): Promise<void> }> {
	const open = new Set<Socket>();
	const server = createServer((inside) => {
		open.add(inside);
		inside.on('close', () => open.delete(inside));
		const sandbox = connect(port, '127.0.0.1');
		inside.pipe(sandbox);
		sandbox.pipe(inside);
		inside.on('error', () => sandbox.destroy());
		sandbox.on('error', () => inside.destroy());
		inside.on('close', () => sandbox.destroy());
		sandbox.on('close', () => inside.destroy());
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(socketPath, () => resolve());
	});
	return {
		close: () => new Promise<void>((resolve) => {
			server.close(() => resolve());
			for (const socket of open) socket.destroy();
		}),
	};
}
