/**
 * `npm run bench [-- --json] [--quick] [--only name,name]`: transfer, tree, login and workflow benchmarks.
 * With --json prints ONE JSON object {"node", "results": [{name, unit, ours, megajs?, limit?, peakRssMiB?, ...}]}
 * (contract in bench/README.md); without it, a readable table. --quick uses small sizes (development only).
 */
import { benchLoginV2 } from './login';
import { benchPipeline, type BenchResult } from './pipeline';
import { benchTree } from './tree-load';
import { benchLoopback, benchSlowLink } from './transfers';
import { benchWorkflow } from './workflow';

interface Options {
	json: boolean;
	quick: boolean;
	only?: string[];
}

function parseArgs(argv: string[]): Options {
	const onlyIndex = argv.indexOf('--only');
	return {
		json: argv.includes('--json'),
		quick: argv.includes('--quick'),
		only: onlyIndex >= 0 ? argv[onlyIndex + 1]?.split(',') : undefined,
	};
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
	const groups: Group[] = [
		{ prefix: 'pipeline', run: () => benchPipeline(options) },
		{ prefix: 'loopback', run: () => benchLoopback({ quick: options.quick, megajs: true }) },
		{ prefix: 'slowlink', run: () => benchSlowLink(options) },
		{ prefix: 'tree', run: async () => (await benchTree()).map((result) => ({ ...result })) },
		{ prefix: 'login', run: async () => [await benchLoginV2()] },
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
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	},
);
