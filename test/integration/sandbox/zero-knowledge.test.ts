import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { closeAll, completed, openStorage } from '../../interop/megajs/helpers';

function filesUnder(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? filesUnder(path) : [path];
	});
}

/** The plaintext forms a leak could take: raw, base64, base64url, hex. */
function needles(text: string): Buffer[] {
	const raw = Buffer.from(text);
	return [raw, Buffer.from(raw.toString('base64')), Buffer.from(raw.toString('base64url')), Buffer.from(raw.toString('hex'))];
}

describe('sandbox is zero-knowledge', () => {
	const secretName = `quarterly-secret-${randomBytes(6).toString('hex')}.txt`;
	const secretText = `the launch code is ${randomBytes(12).toString('hex')} `.repeat(40);
	let dataDir: string;
	let sandboxes: MegaSandbox[] = [];

	beforeAll(() => {
		dataDir = mkdtempSync(join(tmpdir(), 'mega-sandbox-zk-'));
	});
	afterAll(async () => {
		await closeAll();
		await Promise.all(sandboxes.map((s) => s.close()));
		sandboxes = [];
		rmSync(dataDir, { recursive: true, force: true });
	});

	async function uploadSecret(sandbox: MegaSandbox): Promise<void> {
		await sandbox.createAccount({ email: 'zk@test.local', password: 'zk-password' });
		const { storage } = await openStorage(sandbox.gateway, 'zk@test.local', 'zk-password', { keepalive: false });
		const folder = await storage.mkdir(`folder-${secretName}`);
		const file = await completed(folder.upload({ name: secretName, size: Buffer.byteLength(secretText) }, Buffer.from(secretText)));
		await file.rename(`${secretName}.renamed`);
		// The client can read it all back, so the data really is there.
		expect((await file.downloadBuffer({})).toString()).toBe(secretText);
	}

	it('keeps neither the name nor the content in its in-memory store', async () => {
		const sandbox = await startMegaSandbox();
		sandboxes.push(sandbox);
		await uploadSecret(sandbox);
		const dump = Buffer.from(sandbox.dumpStore());
		expect(dump.length).toBeGreaterThan(Buffer.byteLength(secretText));
		for (const needle of [...needles(secretName), ...needles(secretText.slice(0, 60))]) expect(dump.indexOf(needle)).toBe(-1);
		// The dump does hold the ciphertext: the content is there, encrypted.
		expect(dump.toString()).toContain('"blobs":[{');
	});

	it('keeps neither the name nor the content in its --data-dir', async () => {
		const sandbox = await startMegaSandbox({ dataDir });
		sandboxes.push(sandbox);
		await uploadSecret(sandbox);
		const files = filesUnder(dataDir);
		expect(files.length).toBeGreaterThan(0);
		const onDisk = files.reduce((sum, file) => sum + statSync(file).size, 0);
		expect(onDisk).toBeGreaterThanOrEqual(Buffer.byteLength(secretText));
		for (const file of files) {
			const bytes = readFileSync(file);
			for (const needle of [...needles(secretName), ...needles(secretText.slice(0, 60))]) expect(bytes.indexOf(needle)).toBe(-1);
		}
		const dump = Buffer.from(sandbox.dumpStore());
		for (const needle of needles(secretName)) expect(dump.indexOf(needle)).toBe(-1);
	});
});
