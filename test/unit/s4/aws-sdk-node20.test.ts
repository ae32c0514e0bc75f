/**
 * The S4 node must install and run on Node 20.19+ (n8n 1.x), while the AWS SDK announces that its releases after the
 * first week of January 2027 require Node >= 22. package.json therefore pins the three @aws-sdk packages to one exact,
 * tested release (README, "MEGA S4"). This checks the pin and that every package of the installed runtime tree (our
 * `dependencies` and everything they pull in) accepts Node 20.19; the S4 unit, integration and workflow tests then
 * run on the Node 20 that runs `npm test`.
 */
import { resolve } from 'node:path';
import { findPackageDir, nodeRangeAccepts, OLDEST_NODE, readManifest, refusingOldestNode, runtimeTree } from '../../support/engines';

const repoRoot = resolve(__dirname, '../../..');

describe('the S4 dependencies stay installable on Node 20.19', () => {
	it('reads engines ranges the way npm does', () => {
		expect(nodeRangeAccepts('>=20.0.0', OLDEST_NODE)).toBe(true);
		expect(nodeRangeAccepts('>= 18', OLDEST_NODE)).toBe(true);
		expect(nodeRangeAccepts('^18.18.0 || ^20.9.0 || >=21.1.0', OLDEST_NODE)).toBe(true);
		expect(nodeRangeAccepts('>=22', OLDEST_NODE)).toBe(false);
		expect(nodeRangeAccepts('>=20.20.0', OLDEST_NODE)).toBe(false);
		expect(nodeRangeAccepts('^18.0.0 || >=22', OLDEST_NODE)).toBe(false);
		expect(() => nodeRangeAccepts('node20', OLDEST_NODE)).toThrow(/Unrecognised/);
	});

	it('pins the three @aws-sdk packages to one exact release', () => {
		const { dependencies = {} } = readManifest(repoRoot);
		const aws = Object.entries(dependencies).filter(([name]) => name.startsWith('@aws-sdk/'));
		expect(aws.map(([name]) => name).sort()).toEqual(['@aws-sdk/client-s3', '@aws-sdk/lib-storage', '@aws-sdk/s3-request-presigner']);
		for (const [name, range] of aws) expect({ name, range }).toEqual({ name, range: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
		expect(new Set(aws.map(([, range]) => range)).size).toBe(1);
		for (const [name, range] of aws) expect(readManifest(findPackageDir(name, repoRoot)!).version).toBe(range);
	});

	it('every installed runtime package accepts Node 20.19', () => {
		const tree = runtimeTree(repoRoot);
		expect(tree.map((m) => m.name)).toEqual(expect.arrayContaining(['@aws-sdk/client-s3', '@aws-sdk/core', '@smithy/node-http-handler']));
		expect(refusingOldestNode(tree)).toEqual([]);
	});
});
