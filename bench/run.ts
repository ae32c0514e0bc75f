/**
 * `npm run bench [-- --json] [--quick] [--only name,name] [--node 24]`: transfer, tree, login, trigger and workflow benchmarks.
 * With --json prints ONE JSON object {"node", "results": [{name, unit, ours, megajs?, limit?, peakRssMiB?, ...}]}
 * (contract in bench/README.md); without it, a readable table. --quick uses small sizes (development only).
 * --node 24 runs the same command under the Node 24 that test/support/node24.ts provisions (its children too).
 */
import { spawn } from 'node:child_process';
import { ensureNode24 } from '../test/support/node24';
import { benchLoginV2 } from './login';
import { benchPipeline, type BenchResult } from './pipeline';
import { benchTree } from './tree-load';
import { benchTreeMemory } from './tree-memory';
import { benchLoopback, benchSlowLink } from './transfers';
import { benchTrigger } from './trigger';
import { benchWorkflow } from './workflow';

interface Options {
	json: boolean;
	quick: boolean;
	only?: string[];
	/** Node major version to run under; undefined = the running one. */
	node?: string;
	/** The arguments without `--node N`, for the re-run under that Node. */
	rest: string[];
}

function parseArgs(argv: string[]): Options {
	const onlyIndex = argv.indexOf('--only');
	const nodeIndex = argv.indexOf('--node');
	return {
		json: argv.includes('--json'),
		quick: argv.includes('--quick'),
		only: onlyIndex >= 0 ? argv[onlyIndex + 1]?.split(',') : undefined,
		node: nodeIndex >= 0 ? (argv[nodeIndex + 1] ?? '') : undefined,
		rest: nodeIndex >= 0 ? argv.filter((_, i) => i !== nodeIndex && i !== nodeIndex + 1) : argv,
	};
}

/** Runs this script again under the provisioned Node 24, with the same arguments and output; returns its exit code. */
async function rerunUnderNode24(options: Options): Promise<number> {
	const node24 = await ensureNode24();
	if (!options.json) process.stderr.write(`running under Node ${node24.version} (${node24.binary})\n`);
	const child = spawn(node24.binary, ['--import', require.resolve('tsx'), __filename, ...options.rest], { stdio: 'inherit' });
	return await new Promise((resolve, reject) => {
		child.on('error', reject);
		child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
	});
}

type Group = { prefix: string; run: () => Promise<BenchResult[]> };

function table(results: BenchResult[]): string {
	const rows = results.map((r) => {
		const ratio =
			r.limit !== undefined
				? `${(r.ours / r.limit).toFixed(2)} × limit`
				: typeof r.core === 'number'
					? `${(r.ours / r.core).toFixed(2)} × core (${r.core} MB/s)`
					: r.megajs !== undefined && r.unit === 'MB/s'
						? `${(r.ours / r.megajs).toFixed(1)} × megajs`
						: '';
		return [r.name, `${r.ours} ${r.unit}`, r.megajs !== undefined ? `${r.megajs}` : '', r.limit !== undefined ? `${r.limit}` : '', r.peakRssMiB !== undefined ? `${r.peakRssMiB}` : '', ratio];
	});
	const header = ['benchmark', 'ours', 'megajs', 'limit', 'peak RSS MiB', ''];
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
	const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
	return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	if (options.node !== undefined && options.node !== process.versions.node.split('.')[0]) {
		if (options.node !== '24') throw new Error(`--node ${options.node}: only --node 24 is provisioned (test/support/node24.ts); other versions run as \`npm run bench\` under that Node`);
		process.exitCode = await rerunUnderNode24(options);
		return;
	}
	const groups: Group[] = [
		{ prefix: 'pipeline', run: () => benchPipeline(options) },
		{ prefix: 'loopback', run: () => benchLoopback({ quick: options.quick, megajs: true }) },
		{ prefix: 'slowlink', run: () => benchSlowLink(options) },
		{
			prefix: 'tree',
			run: async () => {
				const results: BenchResult[] = (await benchTree()).map((result) => ({ ...result }));
				// Big accounts, memory included (each load in a fresh child); --quick leaves them out.
				if (!options.quick) {
					results.push({ ...(await benchTreeMemory({ folders: 300, name: 'tree.load.300k', megajs: true })) });
					results.push({ ...(await benchTreeMemory({ folders: 1000, name: 'tree.load.1m', megajs: false, runs: 2 })) });
				}
				return results;
			},
		},
		{ prefix: 'login', run: async () => [await benchLoginV2()] },
		{ prefix: 'trigger', run: () => benchTrigger(options) },
		{ prefix: 'workflow', run: () => benchWorkflow(options) },
	];
	const results: BenchResult[] = [];
	for (const group of groups) {
		if (options.only && !options.only.some((name) => group.prefix.startsWith(name) || name.startsWith(group.prefix))) continue;
		if (!options.json) process.stderr.write(`running ${group.prefix}…\n`);
		results.push(...(await group.run()));
	}
	if (options.json) process.stdout.write(`${JSON.stringify({ node: process.version, results })}\n`);
	else process.stdout.write(`node ${process.version}\n${table(results)}\n`);
}

main().then(
	() => process.exit(),
	(error: unknown) => {
		process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
