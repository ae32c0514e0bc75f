/**
 * `npm run n8n`: try the nodes by hand in a real n8n. Starts both sandboxes (MEGA with its seeded accounts, S3 =
 * Ceph RGW behind the strict S4 proxy), installs this package into a fresh n8n user folder the way a user does
 * (`npm pack`, then `npm install --omit=dev` into `.n8n/nodes`), imports credentials for the sandboxes and the example
 * workflows, runs `n8n start` (the locked n8n of `npm run test:e2e`, Node 24, installs cached as described in
 * test/e2e/support/real-n8n.ts), sets up the owner account and prints the URL and the login. Ctrl+C stops everything
 * and removes the user folder. `N8N_PORT` picks the port (default 5678, or a free one when that is taken).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MegaClient } from '../index';
import { SEED_ACCOUNTS, startMegaSandbox } from '../sandbox/mega';
import { megaS4CredentialFor, startS3Sandbox } from '../sandbox/s3';
import { freePort, OWNER, startN8nServer } from '../test/e2e/support/n8n-server';
import { createN8nHome, ensureRealN8n, N8N_VERSION, packThisPackage } from '../test/e2e/support/real-n8n';
import { EXAMPLES, importCredentials, importWorkflows, readExample } from '../test/e2e/support/sandbox-n8n';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function portToUse(): Promise<number> {
	if (process.env.N8N_PORT) return Number(process.env.N8N_PORT);
	const probe = await fetch('http://127.0.0.1:5678/').then(
		() => true,
		() => false,
	);
	return probe ? freePort() : 5678;
}

async function main(): Promise<void> {
	const work = mkdtempSync(join(tmpdir(), 'mega-n8n-'));
	const cleanups: Array<() => Promise<void> | void> = [() => rmSync(work, { recursive: true, force: true })];
	const stopAll = async () => {
		for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
	};
	try {
		say(`Installing n8n ${N8N_VERSION} (cached after the first time) and starting the sandboxes...`);
		const [n8n, mega, s3] = await Promise.all([ensureRealN8n(), startMegaSandbox({ seed: true }), startS3Sandbox()]);
		cleanups.push(() => mega.close(), () => s3.stop());
		const account = SEED_ACCOUNTS.demo;
		const session = await MegaClient.connect({ kind: 'password', email: account.email, password: account.password }, { gateway: mega.gateway });
		say('Packing and installing n8n-nodes-mega...');
		const tarball = await packThisPackage(work);
		const home = await createN8nHome(tarball, {}, join(work, 'home'));
		await importCredentials(n8n, home, { gateway: mega.gateway, email: account.email, password: account.password, sessionToken: session.exportSession(), s4: megaS4CredentialFor(s3) });
		await importWorkflows(n8n, home, Object.values(EXAMPLES).map(readExample));
		const server = await startN8nServer(n8n, home, { N8N_PORT: String(await portToUse()) });
		cleanups.push(() => server.stop());
		say('');
		say(`n8n ${N8N_VERSION} with n8n-nodes-mega: ${server.url}`);
		say(`login: ${OWNER.email} / ${OWNER.password}`);
		say(`MEGA sandbox ${mega.gateway} (account ${account.email} / ${account.password}); S3 sandbox ${s3.endpoint}`);
		say(`workflows: ${Object.values(EXAMPLES).join(', ')} (webhook: POST a file field "file" to ${server.url}/webhook/mega-upload once it is active)`);
		say('Ctrl+C stops n8n and the sandboxes.');
		await new Promise<void>((resolveStop) => {
			// npm and tsx relay Ctrl+C too, so the signal can come twice: the listeners stay, so a second one cannot
			// kill this process before the clean-up below has stopped n8n and the sandboxes.
			process.on('SIGINT', resolveStop);
			process.on('SIGTERM', resolveStop);
			server.process.once('exit', () => {
				say(`n8n exited:\n${server.log().slice(-2000)}`);
				resolveStop();
			});
		});
	} finally {
		await stopAll();
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`npm run n8n: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	},
);
