/**
 * `npm run sandbox -- [--port N] [--data-dir DIR] [--seed] [--json]`: starts the local sandboxes and keeps them running
 * until SIGINT/SIGTERM. With --json it prints ONE line:
 * {"gateway":"http://127.0.0.1:PORT/","control":"http://127.0.0.1:PORT/__control","accounts":[{"email","password","version","totpSecret"?}]}
 */
import { startMegaSandbox } from './mega';

interface CliOptions {
	port: number;
	dataDir?: string;
	seed: boolean;
	json: boolean;
}

function parseArgs(argv: string[]): CliOptions {
	const options: CliOptions = { port: 0, seed: false, json: false };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [name, inline] = arg.split('=', 2);
		const value = (): string => {
			const next = inline ?? argv[++i];
			if (next === undefined) throw new Error(`${name} needs a value`);
			return next;
		};
		if (name === '--port') options.port = Number(value());
		else if (name === '--data-dir') options.dataDir = value();
		else if (name === '--seed') options.seed = true;
		else if (name === '--json') options.json = true;
		else throw new Error(`unknown option ${arg} (use --port, --data-dir, --seed, --json)`);
	}
	if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error('--port must be 0..65535');
	return options;
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const mega = await startMegaSandbox({ port: options.port, dataDir: options.dataDir, seed: options.seed });
	const summary = { gateway: mega.gateway, control: mega.controlUrl, accounts: mega.accounts };
	if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
	else {
		process.stdout.write(`MEGA sandbox: ${summary.gateway}\ncontrol: ${summary.control}\n`);
		for (const account of summary.accounts) process.stdout.write(`account: ${account.email} / ${account.password} (v${account.version}${account.totpSecret ? `, TOTP secret ${account.totpSecret}` : ''})\n`);
	}
	const stop = (): void => {
		mega.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
	process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
