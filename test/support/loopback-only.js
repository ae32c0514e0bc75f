/**
 * Tests never talk to anything but this machine. Every jest test file loads this first: a socket connection to a
 * host that is not loopback fails at once with a clear error (it would otherwise reach the real MEGA, e.g. through
 * megajs's global API, whose default gateway is MEGA's).
 */
const net = require('node:net');

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/i;

function targetHost(args) {
	const first = args[0];
	if (Array.isArray(first)) return targetHost(first);
	if (first && typeof first === 'object') {
		if (first.path) return undefined; // unix socket
		return first.host ?? 'localhost';
	}
	if (typeof first === 'number') return typeof args[1] === 'string' ? args[1] : 'localhost';
	return undefined; // a unix socket path
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
	const host = targetHost(args);
	if (host !== undefined && !LOOPBACK.test(String(host).replace(/^\[|\]$/g, ''))) {
		throw new Error(`loopback-only: a test tried to connect to ${host}; tests may only reach 127.0.0.1 (start a sandbox)`);
	}
	return connect.apply(this, args);
};
