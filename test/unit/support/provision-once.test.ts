import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { provisionOnce } from '../../support/provision-once';

describe('provisionOnce: a cache folder built once, complete or absent', () => {
	let parent: string;
	beforeEach(() => {
		parent = mkdtempSync(join(tmpdir(), 'provision-once-'));
	});
	afterEach(() => rmSync(parent, { recursive: true, force: true }));

	// A build in two steps with a pause between them: a reader seeing a half-built folder would miss `second`.
	const twoStepBuild = (id: number) => async (scratch: string) => {
		writeFileSync(join(scratch, 'first'), String(id));
		await sleep(20 + id * 5);
		writeFileSync(join(scratch, 'second'), String(id));
	};

	it('concurrent callers all get the one complete folder, and no scratch folder stays', async () => {
		const target = join(parent, 'thing-1.0');
		const results = await Promise.all([0, 1, 2, 3].map((id) => provisionOnce(target, twoStepBuild(id))));
		expect(new Set(results)).toEqual(new Set([target]));
		const first = readFileSync(join(target, 'first'), 'utf8');
		expect(readFileSync(join(target, 'second'), 'utf8')).toBe(first);
		expect(readdirSync(parent)).toEqual(['thing-1.0']);
	});

	it('does not build again when the folder exists', async () => {
		const target = join(parent, 'thing-1.0');
		await provisionOnce(target, twoStepBuild(0));
		const build = jest.fn(twoStepBuild(1));
		await provisionOnce(target, build);
		expect(build).not.toHaveBeenCalled();
		expect(readFileSync(join(target, 'first'), 'utf8')).toBe('0');
	});

	it('a failed build leaves neither the target nor its scratch folder', async () => {
		const target = join(parent, 'thing-1.0');
		await expect(
			provisionOnce(target, async (scratch) => {
				writeFileSync(join(scratch, 'first'), 'x');
				throw new Error('registry unreachable');
			}),
		).rejects.toThrow('registry unreachable');
		expect(existsSync(target)).toBe(false);
		expect(readdirSync(parent)).toEqual([]);
	});

	it("removes the scratch folder of a process that died mid-build, not a live one's", async () => {
		const deadPid = 2 ** 22 + 1; // above Linux's largest pid_max: no such process
		mkdirSync(join(parent, `thing-1.0.building-${deadPid}-aaaa`));
		mkdirSync(join(parent, `thing-1.0.building-${process.pid}-bbbb`));
		await provisionOnce(join(parent, 'thing-1.0'), twoStepBuild(0));
		expect(readdirSync(parent).sort()).toEqual(['thing-1.0', `thing-1.0.building-${process.pid}-bbbb`]);
	});
});
