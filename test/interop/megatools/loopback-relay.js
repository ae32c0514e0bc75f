/**
 * Runs INSIDE megatools' network namespace (which has only its own loopback): `node loopback-relay.js PORT=SOCKET…`
 * listens on 127.0.0.1:PORT for each pair and pipes every connection to the unix socket SOCKET, where the test
 * process (in the host's namespace) answers. Prints "ready" once all ports listen; exits when its stdin closes, so
 * it never outlives the test that started it.
 */
const net = require('node:net');

const forwards = process.argv.slice(2).map((argument) => {
	const at = argument.indexOf('=');
	const port = Number(argument.slice(0, at));
	const socketPath = argument.slice(at + 1);
	if (at < 1 || !Number.isInteger(port) || port < 1 || port > 65535 || !socketPath) {
		process.stderr.write(`loopback-relay: expected PORT=SOCKET, got ${argument}\n`);
		process.exit(2);
	}
	return { port, socketPath };
});

let listening = 0;
if (forwards.length === 0) process.stdout.write('ready\n');
for (const { port, socketPath } of forwards) {
	const server = net.createServer((inside) => {
		const outside = net.connect(socketPath);
		inside.pipe(outside);
		outside.pipe(inside);
		inside.on('error', () => outside.destroy());
		outside.on('error', () => inside.destroy());
		inside.on('close', () => outside.destroy());
		outside.on('close', () => inside.destroy());
	});
	server.on('error', (error) => {
		process.stderr.write(`loopback-relay: 127.0.0.1:${port}: ${error.message}\n`);
		process.exit(1);
	});
	server.listen(port, '127.0.0.1', () => {
		listening += 1;
		if (listening === forwards.length) process.stdout.write('ready\n');
	});
}

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
