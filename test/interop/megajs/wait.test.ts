import { startMegaSandbox, type MegaSandbox } from '../../../sandbox/mega';
import { closeAll, openStorage } from './helpers';

describe('the wait URL blocks, so an idle megajs polls rarely', () => {
	let sandbox: MegaSandbox;

	beforeAll(async () => {
		// A 3 s wait timeout stands in for MEGA's tens of seconds, so the test stays short.
		sandbox = await startMegaSandbox({ waitTimeoutMs: 3000 });
		await sandbox.createAccount({ email: 'idle@interop.local', password: 'idle password' });
	});
	afterAll(async () => {
		await closeAll();
		await sandbox.close();
	});

	it('makes only a few sc requests while nothing changes', async () => {
		const { storage, errors } = await openStorage(sandbox.gateway, 'idle@interop.local', 'idle password');
		sandbox.resetCounters();
		await new Promise((resolve) => setTimeout(resolve, 7000));
		const { endpoints } = sandbox.counters();
		// 7 s with a 3 s wait: about 3 polls. A wait URL that answered at once would mean thousands.
		expect(endpoints.sc).toBeGreaterThanOrEqual(1);
		expect(endpoints.sc).toBeLessThanOrEqual(4);
		expect(endpoints.wait).toBeGreaterThanOrEqual(1);
		expect(endpoints.wait).toBeLessThanOrEqual(4);
		expect(errors).toEqual([]);
		expect(storage.root.name).toBe('Cloud Drive');
	});
});
