/**
 * e2e: the three nodes in n8n's editor (version: test/support/test-versions.ts), in Debian's chromium driven by
 * puppeteer-core. A fresh n8n with the packed package, sandbox credentials and one workflow holding a MEGA Cloud
 * node per operation, a MEGA Trigger and a MEGA S4 node per operation; the owner is set up over REST and the browser
 * signs in with that session. Then, in the browser:
 * - each node's icon renders on the canvas (an image that loaded, not a fallback), in the light and the dark theme;
 * - every node's panel opens and renders its parameters without an error callout;
 * - MEGA Cloud's folder picker, mode From List, lists the sandbox account's folders;
 * - the MEGA API credential's dialog tests the sandbox credential successfully;
 * - a screenshot of each node's panel goes to docs/screenshots/ (the README shows them).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { MegaClient } from '../../index';
import { startMegaSandbox, type MegaSandboxServer } from '../../sandbox/mega';
import { megaS4CredentialFor, startS3Sandbox, type S3Sandbox } from '../../sandbox/s3';
import { launchChromium, ownerSession, type Chromium } from './support/browser';
import { freePort, spawnN8n, type Service } from './support/queue-mode';
import { createN8nHome, ensureRealN8n, N8N_VERSION, n8nCli, packThisPackage, repoRoot, type N8nHome, type RealN8n } from './support/real-n8n';

const CREDENTIALS = {
	mega: { id: 'editorMegaAcct01', name: 'MEGA sandbox (account)' },
	s4: { id: 'editorMegaS4Sbx1', name: 'MEGA S4 sandbox' },
};
const WORKFLOW_ID = 'editorAllNodes01';
const FOLDERS = ['Invoices', 'Photos 2026', 'Reports'];

/** Every (resource, operation) pair a node's description offers. */
function operations(description: INodeTypeDescription): Array<{ resource: string; operation: string }> {
	const resources = (description.properties.find((p) => p.name === 'resource')?.options ?? []) as Array<{ value: string }>;
	return resources.flatMap(({ value: resource }) =>
		description.properties
			.filter((p: INodeProperties) => p.name === 'operation' && (p.displayOptions?.show?.resource as string[] | undefined)?.includes(resource))
			.flatMap((p) => (p.options as Array<{ value: string }>).map(({ value }) => ({ resource, operation: String(value) }))),
	);
}

async function describeNode(file: string): Promise<INodeTypeDescription> {
	const loaded = (await import(join(repoRoot, 'dist', 'nodes', file))) as Record<string, new () => { description: INodeTypeDescription }>;
	return new (Object.values(loaded)[0])().description;
}

describe(`n8n ${N8N_VERSION} editor in chromium: MEGA Cloud, MEGA Trigger, MEGA S4`, () => {
	let n8n: RealN8n;
	let s3: S3Sandbox;
	let mega: MegaSandboxServer;
	let home: N8nHome;
	let work: string;
	let server: Service;
	let chromium: Chromium;
	let page: Page;
	let baseUrl: string;
	const nodeNames: Record<'cloud' | 'trigger' | 's4', string[]> = { cloud: [], trigger: [], s4: [] };

	beforeAll(async () => {
		work = mkdtempSync(join(tmpdir(), 'mega-e2e-editor-'));
		[n8n, s3, mega] = await Promise.all([ensureRealN8n(), startS3Sandbox(), startMegaSandbox({ port: 0, waitTimeoutMs: 2_000 })]);
		const account = { email: 'editor@sandbox.local', password: 'editor-sandbox-password' };
		await mega.createAccount({ ...account, version: 2 });
		const client = await MegaClient.connect({ kind: 'password', ...account }, { gateway: mega.gateway });
		for (const folder of FOLDERS) await client.mkdir(`/${folder}`);

		const tarball = await packThisPackage(work);
		const [cloud, trigger, s4] = await Promise.all(['MegaCloud/MegaCloud.node.js', 'MegaTrigger/MegaTrigger.node.js', 'MegaS4/MegaS4.node.js'].map(describeNode));
		const nodes: object[] = [];
		const add = (kind: keyof typeof nodeNames, name: string, type: string, parameters: object, credentials: object) => {
			const i = nodes.length;
			nodeNames[kind].push(name);
			nodes.push({ id: `node-${i}`, name, type, typeVersion: 1, position: [(i % 8) * 220, Math.floor(i / 8) * 200], parameters, credentials });
		};
		add('trigger', 'MEGA Trigger', 'n8n-nodes-mega.megaTrigger', { pollTimes: { item: [{ mode: 'everyMinute' }] }, events: ['fileAdded'], options: {} }, { megaApi: CREDENTIALS.mega });
		for (const { resource, operation } of operations(cloud)) add('cloud', `Cloud ${resource} ${operation}`, 'n8n-nodes-mega.megaCloud', { resource, operation }, { megaApi: CREDENTIALS.mega });
		// The folder picker in its From List mode, as a user switches it.
		add('cloud', 'Folder Picker', 'n8n-nodes-mega.megaCloud', { resource: 'file', operation: 'upload', folder: { __rl: true, mode: 'list', value: '' } }, { megaApi: CREDENTIALS.mega });
		for (const { resource, operation } of operations(s4)) add('s4', `S4 ${resource} ${operation}`, 'n8n-nodes-mega.megaS4', { resource, operation }, { megaS4Api: CREDENTIALS.s4 });
		expect(trigger.name).toBe('megaTrigger');

		const [port, broker] = await Promise.all([freePort(), freePort()]);
		baseUrl = `http://127.0.0.1:${port}`;
		home = await createN8nHome(tarball, { N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_RUNNERS_BROKER_PORT: String(broker), N8N_EDITOR_BASE_URL: baseUrl });
		writeFileSync(
			join(work, 'credentials.json'),
			JSON.stringify([
				{ ...CREDENTIALS.mega, type: 'megaApi', data: { mode: 'account', ...account, gateway: mega.gateway } },
				{ ...CREDENTIALS.s4, type: 'megaS4Api', data: megaS4CredentialFor(s3) },
			]),
			{ mode: 0o600 },
		);
		writeFileSync(join(work, 'workflow.json'), JSON.stringify({ id: WORKFLOW_ID, name: 'All MEGA nodes', active: false, settings: {}, nodes, connections: {} }));
		for (const args of [['import:credentials', `--input=${join(work, 'credentials.json')}`], ['import:workflow', `--input=${join(work, 'workflow.json')}`]]) {
			const result = await n8nCli(n8n, home, args);
			if (result.code !== 0) throw new Error(`n8n ${args[0]} exited ${result.code}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
		}
		server = spawnN8n(n8n, home, ['start'], {});
		await server.waitFor(/Editor is now accessible via/, 300_000);
		const cookie = await ownerSession(baseUrl);
		// Imported credentials and workflows belong to the owner once it exists; share nothing else.
		chromium = await launchChromium();
		page = await chromium.browser.newPage();
		await page.setCookie({ name: 'n8n-auth', value: cookie, domain: '127.0.0.1', path: '/' });
	}, 40 * 60_000);

	afterAll(async () => {
		await chromium?.close();
		await server?.stop();
		await Promise.all([s3?.stop(), mega?.close()]);
		home?.remove();
		if (work) rmSync(work, { recursive: true, force: true });
	});

	const canvasNode = (name: string) => `[data-test-id="canvas-node"][data-node-name="${name}"]`;

	async function openWorkflow(theme: 'light' | 'dark') {
		// Page code is passed as text: this project's TypeScript has no DOM types.
		await page.evaluateOnNewDocument(`localStorage.setItem('N8N_THEME', ${JSON.stringify(theme)})`);
		await page.goto(`${baseUrl}/workflow/${WORKFLOW_ID}`, { waitUntil: 'networkidle2', timeout: 120_000 });
		await page.waitForSelector(canvasNode('MEGA Trigger'), { timeout: 60_000 });
	}

	/** The icon of each of our node types on the canvas: loaded images from our package, none broken. */
	async function iconsOf(names: string[]) {
		return (await page.evaluate(`${JSON.stringify(names.map(canvasNode))}.map((selector) => {
			const img = document.querySelector(selector + ' img');
			return { src: img ? img.getAttribute('src') : null, loaded: Boolean(img && img.complete && img.naturalWidth > 0) };
		})`)) as Array<{ src: string | null; loaded: boolean }>;
	}

	it.each(['light', 'dark'] as const)('renders the three icons in the %s theme', async (theme) => {
		await openWorkflow(theme);
		const names = [nodeNames.cloud[0], nodeNames.trigger[0], nodeNames.s4[0]];
		const icons = await iconsOf(names);
		expect(icons).toEqual([
			{ src: expect.stringMatching(/n8n-nodes-mega.*mega.*\.svg/i), loaded: true },
			{ src: expect.stringMatching(/n8n-nodes-mega.*megaTrigger.*\.svg/i), loaded: true },
			{ src: expect.stringMatching(/n8n-nodes-mega.*\.svg/i), loaded: true },
		]);
		if (theme === 'dark') expect(icons.map((i) => i.src)).toEqual(expect.arrayContaining([expect.stringMatching(/dark/)]));
	});

	async function openPanel(name: string) {
		await page.waitForSelector(canvasNode(name));
		const node = await page.$(canvasNode(name));
		await node!.click({ count: 2 });
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]', { visible: true, timeout: 30_000 });
	}

	async function closePanel() {
		await page.click('[data-test-id="ndv-close-button"]');
		await page.waitForSelector('[data-test-id="ndv"]', { hidden: true, timeout: 30_000 });
	}

	it('opens every operation of every node without an error callout', async () => {
		await openWorkflow('light');
		const failures: string[] = [];
		for (const name of [...nodeNames.trigger, ...nodeNames.cloud, ...nodeNames.s4]) {
			await openPanel(name);
			const state = (await page.evaluate(`({
				parameters: document.querySelectorAll('[data-test-id="ndv"] [data-test-id^="parameter-input"]').length,
				errors: Array.from(document.querySelectorAll('[data-test-id="ndv"] [data-test-id="node-error-callout"], [data-test-id="ndv"] .n8n-callout--danger')).map((e) => e.textContent.trim()),
			})`)) as { parameters: number; errors: string[] };
			if (state.parameters === 0 || state.errors.length > 0) failures.push(`${name}: ${state.parameters} parameters, errors ${JSON.stringify(state.errors)}`);
			await closePanel();
		}
		expect(failures).toEqual([]);
	});

	it('saves a screenshot of each node panel under docs/screenshots', async () => {
		await openWorkflow('light');
		const shots = [
			[nodeNames.cloud.find((n) => n.endsWith('file upload'))!, 'mega-cloud.png'],
			[nodeNames.trigger[0], 'mega-trigger.png'],
			[nodeNames.s4.find((n) => n.endsWith('object upload'))!, 'mega-s4.png'],
		];
		for (const [name, file] of shots) {
			await openPanel(name);
			const ndv = await page.$('[data-test-id="ndv"]');
			const path = join(repoRoot, 'docs', 'screenshots', file);
			await ndv!.screenshot({ path: path as `${string}.png` });
			expect(statSync(path).size).toBeLessThan(150 * 1024);
			await closePanel();
		}
	});

	it("lists the sandbox's folders in MEGA Cloud's folder picker (From List)", async () => {
		await openWorkflow('light');
		await openPanel('Folder Picker');
		await page.click('[data-test-id="ndv"] [data-test-id="rlc-input"]');
		// The list is a teleported popper; its entries are the folders' paths, as the sandbox account holds them.
		const paths = FOLDERS.map((folder) => `/${folder}`);
		await page.waitForFunction(`${JSON.stringify(paths)}.every((path) => document.body.innerText.split('\\n').map((line) => line.trim()).includes(path))`, { timeout: 60_000 });
		await page.keyboard.press('Escape');
		await closePanel();
	});

	it('tests the sandbox MEGA credential successfully in its dialog', async () => {
		await page.goto(`${baseUrl}/home/credentials/${CREDENTIALS.mega.id}`, { waitUntil: 'networkidle2', timeout: 120_000 });
		await page.waitForSelector('[data-test-id="credential-edit-dialog"]', { visible: true, timeout: 60_000 });
		// Opening a saved credential tests it (its node's testedBy method, megaApiTest, against the sandbox).
		await page.waitForSelector('[data-test-id="credentials-config-container-test-success"]', { visible: true, timeout: 120_000 });
	});
});
