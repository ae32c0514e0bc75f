import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CephSandboxError, ensureCephInstalled } from '../../../sandbox/s3';

describe('S3 sandbox package check', () => {
	test('missing Ceph binaries (install off) fail with the exact apt-get command', async () => {
		const error = await ensureCephInstalled(false, () => {}, ['/nonexistent-bin-dir']).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(CephSandboxError);
		expect((error as Error).message).toContain('missing: ceph-mon, ceph-osd, radosgw, ceph, ceph-authtool, monmaptool, radosgw-admin');
		expect((error as Error).message).toContain(
			'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common',
		);
	});

	test('nothing to do when every binary is there', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'fake-ceph-bin-'));
		try {
			for (const name of ['ceph-mon', 'ceph-osd', 'radosgw', 'ceph', 'ceph-authtool', 'monmaptool', 'radosgw-admin']) writeFileSync(join(dir, name), '');
			await expect(ensureCephInstalled(false, () => {}, [dir])).resolves.toBeUndefined();
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
