import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ThrowawayCertificates {
	/** The CA certificate (PEM): the only certificate megatools trusts inside its namespace. */
	caPem: string;
	/** A server certificate for `hostNames`, signed by that CA, and its key (PEM). */
	serverCert: string;
	serverKey: string;
}

/**
 * A CA made for one run with the `openssl` command (keys live in `dir`, which the caller removes), and one server
 * certificate for MEGA's API host names signed by it. Never installed anywhere: megatools sees it through a bind
 * mount in its own mount namespace only.
 */
export async function createThrowawayCertificates(dir: string, hostNames: string[]): Promise<ThrowawayCertificates> {
	const file = (name: string): string => join(dir, name);
	const openssl = (args: string[]): Promise<unknown> => run('openssl', args, { cwd: dir });
	await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-subj', '/CN=n8n-nodes-mega throwaway test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
	await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${hostNames[0]}`]);
	await writeFile(file('server.ext'), [`subjectAltName=${hostNames.map((name) => `DNS:${name}`).join(',')}`, 'basicConstraints=CA:FALSE', 'extendedKeyUsage=serverAuth', ''].join('\n'));
	await openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file('server.ext'), '-out', file('server.pem')]);
	return {
		caPem: await readFile(file('ca.pem'), 'utf8'),
		serverCert: await readFile(file('server.pem'), 'utf8'),
		serverKey: await readFile(file('server.key'), 'utf8'),
	};
}
