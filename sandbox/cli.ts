/**
 * `npm run sandbox -- [--port N] [--data-dir DIR] [--seed] [--json] [--no-s3]`: starts the local sandboxes and keeps
 * them running until SIGINT/SIGTERM. With --json it prints ONE line:
 * {"gateway":"http://127.0.0.1:PORT/","control":"http://127.0.0.1:PORT/__control","accounts":[{"email","password","version","totpSecret"?}],
 *  "s3":{"endpoint","gatewayEndpoint","accessKeyId","secretAccessKey","region"}}
 * The S3 sandbox (Ceph RGW + strict S4 proxy) starts too unless `--no-s3` is given; then the "s3" key is absent.
 */
import { startMegaSandbox } from './mega';

interface CliOptions {
	port: number;
	dataDir?: string;
	seed: boolean;
	json: boolean;
	/** Start the S3 sandbox (Ceph RGW + strict S4 proxy, sandbox/s3) beside the MEGA one; `--no-s3` turns it off. */
	s3: boolean;
}

function parseArgs(argv: string[]): CliOptions {
	const options: CliOptions = { port: 0, seed: false, json: false, s3: true };
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
		else if (name === '--s3') options.s3 = true;
		else if (name === '--no-s3') options.s3 = false;
		else throw new Error(`unknown option ${arg} (use --port, --data-dir, --seed, --json, --no-s3)`);
	}
	if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error('--port must be 0..65535');
	return options;
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const mega = await startMegaSandbox({ port: options.port, dataDir: options.dataDir, seed: options.seed });
	const s3 = options.s3 ? await (await import('./s3')).startS3Sandbox().catch(async (error: unknown) => {
		await mega.close();
		throw error;
	}) : undefined;
	const summary = {
		gateway: mega.gateway,
		control: mega.controlUrl,
		accounts: mega.accounts,
		...(s3 ? { s3: { endpoint: s3.endpoint, gatewayEndpoint: s3.gatewayEndpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, region: s3.region } } : {}),
	};
	if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
	else {
		process.stdout.write(`MEGA sandbox: ${summary.gateway}\ncontrol: ${summary.control}\n`);
		for (const account of summary.accounts) process.stdout.write(`account: ${account.email} / ${account.password} (v${account.version}${account.totpSecret ? `, TOTP secret ${account.totpSecret}` : ''})\n`);
		if (summary.s3) process.stdout.write(`S3 sandbox (strict S4 proxy): ${summary.s3.endpoint} region ${summary.s3.region} key ${summary.s3.accessKeyId} / ${summary.s3.secretAccessKey}\n`);
	}
	let stopping = false;
	const stop = (): void => {
		// A group kill can deliver the signal twice (npm and tsx relay it too): a second one must not cut the clean-up short.
		if (stopping) return;
		stopping = true;
		Promise.all([mega.close(), s3?.stop()]).then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
	process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
