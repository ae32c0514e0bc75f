import { join } from 'node:path';

import { ChildRunError, runInChild } from '../../support/run-in-child';

const MIB = 1024 * 1024;
const work = join(__dirname, 'fixtures/memory-work.ts');

test('runs the function in a fresh process with --expose-gc and returns its JSON result', async () => {
	const { result } = await runInChild<{ input: unknown; hasGc: boolean; pid: number }>(work, 'describeChild', { a: [1, 'two'] });
	expect(result.input).toEqual({ a: [1, 'two'] });
	expect(result.hasGc).toBe(true);
	expect(result.pid).not.toBe(process.pid);
});

test('memory held by the work shows as RSS growth', async () => {
	const { result, memory } = await runInChild<{ held: number }>(work, 'allocate', { mib: 200 });
	expect(result.held).toBe(200 * MIB);
	expect(memory.peakRssGrowthBytes).toBeGreaterThan(150 * MIB);
});

test('200 MiB streamed through a pipeline barely moves RSS', async () => {
	const { result, memory } = await runInChild<{ bytes: number }>(work, 'streamThrough', { mib: 200 });
	expect(result.bytes).toBe(200 * MIB);
	expect(memory.peakRssGrowthBytes).toBeLessThan(100 * MIB);
});

test('a failure in the child rejects with its name and message', async () => {
	const failure = runInChild(work, 'fail');
	await expect(failure).rejects.toBeInstanceOf(ChildRunError);
	await expect(failure).rejects.toThrow('RangeError in child running fail: planned failure in the child');
});

test('an unknown export, a relative path and a timeout are reported, not hung on', async () => {
	await expect(runInChild(work, 'nope')).rejects.toThrow('does not export a function "nope"');
	await expect(runInChild('fixtures/memory-work.ts', 'allocate')).rejects.toThrow('absolute module path');
	await expect(runInChild(work, 'streamThrough', { mib: 100_000 }, { timeoutMs: 1500 })).rejects.toThrow('timed out after 1500 ms');
});
