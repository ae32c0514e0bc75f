/**
 * The MEGA Cloud node's description as n8n and its users see it: every declared operation has exactly one workflow
 * test named `<resource>.<operation>` in this folder (and no test names an operation that does not exist), the
 * canvas subtitle names every operation and resource in words, icons, codex and documentation links are in place.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodePropertyOptions } from 'n8n-workflow';
import { MegaApi } from '../../../credentials/MegaApi.credentials';
import { MegaCloud } from '../../../nodes/MegaCloud/MegaCloud.node';
import { resources } from '../../../nodes/MegaCloud/actions/router';

const description = new MegaCloud().description;
const nodeDir = join(__dirname, '../../../nodes/MegaCloud');

function declaredOperations(): string[] {
	const names: string[] = [];
	for (const resource of description.properties[0].options as INodePropertyOptions[]) {
		const operation = description.properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource.value as string));
		for (const option of (operation?.options ?? []) as INodePropertyOptions[]) names.push(`${String(resource.value)}.${String(option.value)}`);
	}
	return names.sort();
}

function testedOperations(): string[] {
	const names: string[] = [];
	for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.test.ts'))) {
		const source = readFileSync(join(__dirname, file), 'utf8');
		for (const match of source.matchAll(/^describe\('([a-zA-Z]+\.[a-zA-Z]+)'/gm)) names.push(match[1]);
	}
	return names.sort();
}

test('declared operations and workflow test names match one to one', () => {
	const declared = declaredOperations();
	expect(declared.length).toBeGreaterThanOrEqual(32);
	expect(testedOperations()).toEqual(declared);
});

test('the router has a handler for every declared operation', () => {
	for (const name of declaredOperations()) {
		const [resource, operation] = name.split('.');
		expect([name, typeof (resources[resource]?.[operation] as { execute?: unknown } | undefined)?.execute]).toEqual([name, 'function']);
	}
});

test('the subtitle reads in words for every operation and resource', () => {
	const subtitle = description.subtitle as string;
	const operations = JSON.parse(`{${/\(\{ (.*?) \}\)\[\$parameter\["operation"\]\]/.exec(subtitle)?.[1].replace(/(\w+):/g, '"$1":').replace(/""/g, '"')}}`) as Record<string, string>;
	for (const property of description.properties.filter((p) => p.name === 'operation')) {
		for (const option of property.options as INodePropertyOptions[]) expect([option.value, operations[option.value as string]]).toEqual([option.value, option.name]);
	}
	for (const resource of description.properties[0].options as INodePropertyOptions[]) expect(subtitle).toContain(`${String(resource.value)}: "${resource.name}"`);
});

test('tool use, credential test, icons, codex and documentation links', () => {
	expect(description).toMatchObject({ name: 'megaCloud', displayName: 'MEGA Cloud', usableAsTool: true, credentials: [{ name: 'megaApi', required: true, testedBy: 'megaApiTest' }] });
	const icon = description.icon as { light: string; dark: string };
	expect(icon.light).not.toBe(icon.dark);
	for (const file of [icon.light, icon.dark]) expect(existsSync(join(nodeDir, file.replace('file:', '')))).toBe(true);
	const codex = JSON.parse(readFileSync(join(nodeDir, 'MegaCloud.node.json'), 'utf8'));
	expect(codex).toMatchObject({ node: 'n8n-nodes-mega.megaCloud', categories: ['Data & Storage'], alias: expect.arrayContaining(['MEGA']) });
	const urls = [codex.resources.primaryDocumentation[0].url, codex.resources.credentialDocumentation[0].url, new MegaApi().documentationUrl];
	for (const url of urls) expect(url).toMatch(/^https:\/\/github\.com\/n8n-nodes-mega\/n8n-nodes-mega\/blob\/main\/docs\/[a-z/-]+\.md$/);
	expect(codex.resources.primaryDocumentation[0].url).toMatch(/docs\/nodes\/mega-cloud\.md$/);
	expect(new MegaApi().documentationUrl).toMatch(/docs\/credentials\/mega-api\.md$/);
	const methods = new MegaCloud().methods;
	expect(Object.keys(methods.listSearch).sort()).toEqual(['searchMegaFiles', 'searchMegaFolders', 'searchMegaRubbishBin']);
	for (const property of description.properties) {
		if (property.type === 'resourceLocator') {
			const method = (property.modes?.find((mode) => mode.name === 'list')?.typeOptions as { searchListMethod?: string } | undefined)?.searchListMethod;
			expect(Object.keys(methods.listSearch)).toContain(method);
		}
		for (const option of (property.options ?? []) as Array<{ action?: string; description?: string }>) {
			if (property.name === 'operation') expect(option.description?.length ?? 0).toBeGreaterThan(15);
		}
	}
});
