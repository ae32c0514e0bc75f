import type { LoopbackNamespace } from './loopback-namespace';

export interface IsolationExpectations {
	/** Names megatools resolves: each must resolve to 127.0.0.1 and nothing else. */
	hostNames: string[];
	/** The exact /etc/hosts and CA bundle megatools must see. */
	hosts: string;
	caBundle: string;
	/** Any existing directory: the checks run there. */
	cwd: string;
}

/**
 * Checked inside the namespace before megatools runs at all; any difference throws and no megatools command runs:
 * loopback is the only network device and has only loopback addresses, MEGA's API names resolve to 127.0.0.1 only,
 * and /etc/hosts and /etc/ssl/certs are the private ones (the throwaway CA alone).
 */
export async function verifyIsolation(namespace: LoopbackNamespace, expected: IsolationExpectations): Promise<void> {
	const problems: string[] = [];
	const inside = async (command: string, args: string[]): Promise<string> => {
		const result = await namespace.run(command, args, { cwd: expected.cwd, env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' }, timeoutMs: 10_000 });
		if (result.code !== 0) problems.push(`\`${command} ${args.join(' ')}\` exited with ${result.code ?? result.signal}: ${result.stderr.trim()}`);
		return result.stdout.toString('utf8');
	};

	const links = (await inside('ip', ['-o', 'link', 'show'])).trim().split('\n').filter(Boolean);
	const linkNames = links.map((line) => line.split(':')[1]?.trim());
	if (linkNames.length !== 1 || linkNames[0] !== 'lo') problems.push(`network devices inside are ${JSON.stringify(linkNames)}, expected only "lo"`);
	const addresses = (await inside('ip', ['-o', 'addr', 'show'])).trim().split('\n').filter(Boolean).map((line) => line.split(/\s+/)[3]);
	const foreign = addresses.filter((address) => address !== '127.0.0.1/8' && address !== '::1/128');
	if (addresses.length === 0 || foreign.length > 0) problems.push(`addresses inside are ${JSON.stringify(addresses)}, expected only 127.0.0.1/8 and ::1/128`);

	for (const name of expected.hostNames) {
		const resolved = [...new Set((await inside('getent', ['ahosts', name])).trim().split('\n').filter(Boolean).map((line) => line.split(/\s+/)[0]))];
		if (resolved.length !== 1 || resolved[0] !== '127.0.0.1') problems.push(`${name} resolves to ${JSON.stringify(resolved)}, expected only 127.0.0.1`);
	}

	if ((await inside('cat', ['/etc/hosts'])) !== expected.hosts) problems.push('/etc/hosts inside is not the private hosts file');
	const certs = (await inside('ls', ['-A', '/etc/ssl/certs'])).trim().split('\n').filter(Boolean);
	if (certs.length !== 1 || certs[0] !== 'ca-certificates.crt') problems.push(`/etc/ssl/certs inside holds ${JSON.stringify(certs)}, expected only ca-certificates.crt`);
	if ((await inside('cat', ['/etc/ssl/certs/ca-certificates.crt'])) !== expected.caBundle) problems.push('the CA bundle inside is not the throwaway CA');

	if (problems.length > 0) {
		throw new Error(`Refusing to run megatools: its namespace is not isolated, so a request could leave 127.0.0.1 or trust a real certificate:\n- ${problems.join('\n- ')}`);
	}
}
