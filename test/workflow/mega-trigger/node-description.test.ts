/**
 * The MEGA Trigger as the editor shows it: the canvas subtitle in words (evaluated by n8n's own expression engine),
 * one option per event, the codex and documentation links, icons, and the package entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Workflow, type INodePropertyOptions } from 'n8n-workflow';

import { MegaTrigger } from '../../../nodes/MegaTrigger/MegaTrigger.node';
import { TRIGGER_EVENTS } from '../../../nodes/MegaTrigger/events';
import { TestNodeTypes } from '../harness/node-types';

const trigger = new MegaTrigger();
const { description } = trigger;
const dir = join(__dirname, '../../../nodes/MegaTrigger');

function subtitleFor(events: string[]): unknown {
	const node = { id: 'n', name: 'MEGA Trigger', type: 'n8n-nodes-mega.megaTrigger', typeVersion: 1, position: [0, 0] as [number, number], parameters: { events } };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: new TestNodeTypes({ [node.type]: trigger }) });
	return workflow.expression.getSimpleParameterValue(node, description.subtitle as string, 'internal', {});
}

test('is a polling trigger on the megaApi credential', () => {
	expect(description).toMatchObject({ name: 'megaTrigger', displayName: 'MEGA Trigger', polling: true, inputs: [], group: ['trigger'] });
	expect(description.credentials).toEqual([{ name: 'megaApi', required: true, testedBy: 'megaApiTest' }]);
	expect(description.usableAsTool).toBeUndefined();
	expect(trigger.methods.listSearch.searchMegaFolders).toEqual(expect.any(Function));
});

test('offers every event, and the subtitle names the chosen ones in words', () => {
	const events = description.properties.find((property) => property.name === 'events');
	const options = events?.options as INodePropertyOptions[];
	expect(options.map((option) => option.value)).toEqual([...TRIGGER_EVENTS]);
	expect(subtitleFor(['fileAdded'])).toBe('On File Added');
	expect(subtitleFor([...TRIGGER_EVENTS])).toBe(`On ${options.map((option) => option.name).join(', ')}`);
	for (const option of options) expect(subtitleFor([String(option.value)])).toBe(`On ${option.name}`);
});

test('has readable icons, a codex with documentation links without fragments, and a package entry', () => {
	const icon = description.icon as { light: string; dark: string };
	for (const file of [icon.light, icon.dark]) {
		const path = join(dir, file.replace(/^file:/, ''));
		expect(existsSync(path)).toBe(true);
		expect(readFileSync(path, 'utf8')).toMatch(/^<svg[^>]*viewBox="0 0 64 64"/);
	}
	const codex = JSON.parse(readFileSync(join(dir, 'MegaTrigger.node.json'), 'utf8')) as { node: string; resources: Record<string, Array<{ url: string }>> };
	expect(codex.node).toBe('n8n-nodes-mega.megaTrigger');
	expect(codex.resources.primaryDocumentation[0].url).toBe('https://github.com/n8n-nodes-mega/n8n-nodes-mega/blob/main/docs/nodes/mega-trigger.md');
	for (const links of Object.values(codex.resources)) for (const { url } of links) expect(url).not.toContain('#');
	expect(existsSync(join(__dirname, '../../../docs/nodes/mega-trigger.md'))).toBe(true);
	const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { n8n: { nodes: string[] } };
	expect(pkg.n8n.nodes).toContain('dist/nodes/MegaTrigger/MegaTrigger.node.js');
});
