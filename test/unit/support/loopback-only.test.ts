import { createServer, type AddressInfo } from 'node:net';
import { request } from 'node:https';

describe('loopback-only guard (test/support/loopback-only.js)', () => {
	it('refuses a connection to a non-loopback host before any packet leaves', () => {
		expect(() => request('https://g.api.mega.co.nz/cs?id=1').end()).toThrow(/loopback-only: .*g\.api\.mega\.co\.nz/);
	});

	it('lets loopback connections through', async () => {
		const server = createServer((socket) => socket.end('hi'));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		const { connect } = await import('node:net');
		const reply = await new Promise<string>((resolve, reject) => {
			const socket = connect(port, '127.0.0.1');
			let data = '';
			socket.on('data', (d) => (data += d.toString())).on('end', () => resolve(data)).on('error', reject);
		});
		server.close();
		expect(reply).toBe('hi');
	});
});
