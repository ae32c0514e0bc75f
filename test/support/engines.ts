/**
 * Which installed packages accept the oldest Node this package supports (package.json `engines`: 20.19). Used by the
 * unit check of our locked tree (test/unit/s4/aws-sdk-node20.test.ts) and by the e2e check of a fresh install of the
 * packed tarball, which resolves the SDK's own dependency ranges the way a user's install does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const OLDEST_NODE = [20, 19, 0] as const;

export interface Manifest {
	name: string;
	version: string;
	engines?: { node?: string };
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
}

export const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Node's resolution: the nearest `node_modules/<name>` from `fromDir` upwards. */
export function findPackageDir(name: string, fromDir: string, stopAt = fromDir): string | undefined {
	for (let dir = fromDir; ; dir = dirname(dir)) {
		const candidate = join(dir, 'node_modules', name);
		if (existsSync(join(candidate, 'package.json'))) return candidate;
		if (dir === stopAt || dirname(dir) === dir) return undefined;
	}
}

/** Every installed package reachable from `rootDir`'s `dependencies` (not devDependencies or peers): what a user installs. */
export function runtimeTree(rootDir: string): Manifest[] {
	const seen = new Map<string, Manifest>();
	const visit = (dir: string, required: boolean) => {
		if (seen.has(dir)) return;
		const manifest = readManifest(dir);
		seen.set(dir, manifest);
		for (const [deps, needed] of [
			[manifest.dependencies, true],
			[manifest.optionalDependencies, false],
		] as const) {
			for (const name of Object.keys(deps ?? {})) {
				const child = findPackageDir(name, dir, rootDir);
				if (child) visit(child, needed);
				else if (needed && required) throw new Error(`${manifest.name} needs ${name}, which is not installed: run npm ci`);
			}
		}
	};
	visit(rootDir, true);
	seen.delete(rootDir);
	return [...seen.values()];
}

const compare = (a: readonly number[], b: readonly number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Whether `version` satisfies an npm `engines.node` range (the forms used by engines fields; anything else throws). */
export function nodeRangeAccepts(range: string, version: readonly number[]): boolean {
	const alternatives = range.replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split('||');
	return alternatives.some((alternative) =>
		alternative
			.trim()
			.split(/\s+/)
			.filter((comparator) => comparator !== '' && comparator !== '*')
			.every((comparator) => comparatorAccepts(comparator, range, version)),
	);
}

function comparatorAccepts(comparator: string, range: string, version: readonly number[]): boolean {
	const match = /^(>=|<=|>|<|=|\^|~)?v?(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?$/.exec(comparator);
	if (!match) throw new Error(`Unrecognised engines.node comparator "${comparator}" in "${range}": check it by hand`);
	const [, operator = '=', major, minor, patch] = match;
	const bound = [Number(major), Number(minor ?? 0) || 0, Number(patch ?? 0) || 0];
	const order = compare(version, bound);
	const sameMajor = version[0] === bound[0];
	const sameMinor = minor === undefined || minor === 'x' || version[1] === bound[1];
	switch (operator) {
		case '>=':
			return order >= 0;
		case '>':
			return order > 0;
		case '<=':
			return order <= 0;
		case '<':
			return order < 0;
		case '^':
			return order >= 0 && sameMajor;
		case '~':
			return order >= 0 && sameMajor && sameMinor;
		default:
			return sameMajor && sameMinor && (patch === undefined || patch === 'x' || version[2] === bound[2]);
	}
}

/** `name@version (node range)` of each package whose engines.node refuses OLDEST_NODE. */
export function refusingOldestNode(tree: Manifest[]): string[] {
	return tree.filter((m) => m.engines?.node && !nodeRangeAccepts(m.engines.node, OLDEST_NODE)).map((m) => `${m.name}@${m.version} (node ${m.engines!.node})`);
}
