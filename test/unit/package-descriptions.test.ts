/**
 * What a user sees in the n8n editor, for EVERY node and credential that package.json's `n8n` section lists (each
 * `dist/….js` entry is loaded from its `.ts` source, so a node added to package.json is checked without editing this
 * file). Two rules:
 *
 * 1. Documentation links open the right page. Every documentation URL — the codex's (`<Node>.node.json` next to the
 *    node) `resources.primaryDocumentation[].url` and `resources.credentialDocumentation[].url`, a node's optional
 *    `documentationUrl`, and a credential's `documentationUrl` — is an https URL with no `#` fragment (n8n appends
 *    `?utm_source=…` to it, which lands after a fragment and sends GitHub to the top of the page), of the form
 *    `<repository>/blob/main/docs/….md`, and that page exists in this repository. Every node has a codex with a
 *    primary documentation link.
 *
 * 2. The canvas subtitle speaks words, not internal values. Every `$parameter` reference in a node's `subtitle`
 *    must be the key of a lookup map written in place, `{"value":"Word",…}[$parameter["name"]]` (optionally in
 *    parentheses), where:
 *      - the map is flat, every key and every value a string literal;
 *      - the parameter is an `options` property of the node, and the map's keys are exactly the values of its options
 *        (the union over every property of that name);
 *      - each word is the `name` or the `action` of an option with that value (what the editor's dropdown shows).
 *    A multi-select (`multiOptions`) property is named the same way, one word per chosen value, only in the form
 *    `($parameter["name"] || []).map(v => ({"value":"Word",…})[v]).join(", ")` with the same three conditions.
 *    No `$parameter` may appear anywhere else in the subtitle. The subtitle is then evaluated by n8n's own expression
 *    engine for every combination of the referenced parameters' values: the text must contain each looked-up word
 *    and never `undefined`, `null` or `[object`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
	NodeHelpers,
	Workflow,
	type ICredentialType,
	type INode,
	type INodeProperties,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
	type INodeTypes,
	type IVersionedNodeType,
} from 'n8n-workflow';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	repository: { url: string };
	n8n: { nodes: string[]; credentials: string[] };
};
const REPOSITORY = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
const DOCS_PREFIX = `${REPOSITORY}/blob/main/`;

/** `dist/nodes/MegaS4/MegaS4.node.js` -> `nodes/MegaS4/MegaS4.node.ts`; the class is named like the file, as n8n's loader expects. */
function sourceOf(distPath: string): { source: string; className: string } {
	const source = distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts');
	const className = source.split('/').pop()!.split('.')[0];
	return { source, className };
}

function loadClass<T>(distPath: string): T {
	const { source, className } = sourceOf(distPath);
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the list of modules comes from package.json at run time
	const exported = (require(join(ROOT, source)) as Record<string, new () => T>)[className];
	if (typeof exported !== 'function') throw new Error(`${source} does not export a class named ${className}`);
	return new exported();
}

interface LoadedNode {
	distPath: string;
	source: string;
	type: INodeType | IVersionedNodeType;
	/** One description per version (a versioned node has several). */
	descriptions: INodeTypeDescription[];
}

const nodes: LoadedNode[] = pkg.n8n.nodes.map((distPath) => {
	const type = loadClass<INodeType | IVersionedNodeType>(distPath);
	const descriptions =
		'nodeVersions' in type ? Object.values(type.nodeVersions).map((version) => version.description) : [type.description];
	return { distPath, source: sourceOf(distPath).source, type, descriptions };
});
const credentials = pkg.n8n.credentials.map((distPath) => ({ distPath, credential: loadClass<ICredentialType>(distPath) }));

/** Why a documentation URL would not open its page, or undefined when it does. */
function documentationUrlProblem(url: unknown): string | undefined {
	if (typeof url !== 'string' || url === '') return 'is missing';
	if (url.includes('#')) return `has a # fragment (${url}); n8n appends ?utm_source=… after it and the page opens at the top`;
	if (!url.startsWith(DOCS_PREFIX)) return `is not a page of this repository (${url}); expected ${DOCS_PREFIX}docs/….md`;
	const path = url.slice(DOCS_PREFIX.length);
	if (!/^docs\/[\w./-]+\.md$/.test(path)) return `is not a docs/….md page (${url})`;
	if (!existsSync(join(ROOT, path))) return `points at ${path}, which does not exist`;
	return undefined;
}

describe('package.json lists the package\'s nodes and credentials', () => {
	test('every entry loads from its TypeScript source', () => {
		expect(nodes.length).toBeGreaterThan(0);
		expect(credentials.length).toBeGreaterThan(0);
		for (const { descriptions } of nodes) expect(descriptions.length).toBeGreaterThan(0);
	});
});

describe('documentation links open their own page (no # fragment)', () => {
	test.each(nodes.map((n) => [n.source, n] as const))('%s: codex links and documentationUrl', (source, node) => {
		const codexPath = join(ROOT, source.replace(/\.ts$/, '.json'));
		expect({ codex: relative(ROOT, codexPath), exists: existsSync(codexPath) }).toEqual({ codex: relative(ROOT, codexPath), exists: true });
		const codex = JSON.parse(readFileSync(codexPath, 'utf8')) as {
			resources?: { primaryDocumentation?: Array<{ url?: string }>; credentialDocumentation?: Array<{ url?: string }> };
		};
		const primary = codex.resources?.primaryDocumentation ?? [];
		expect(primary.length).toBeGreaterThan(0);
		const links: Array<[string, unknown]> = [
			...primary.map((d, i) => [`primaryDocumentation[${i}]`, d.url] as [string, unknown]),
			...(codex.resources?.credentialDocumentation ?? []).map((d, i) => [`credentialDocumentation[${i}]`, d.url] as [string, unknown]),
			...node.descriptions
				.filter((d) => d.documentationUrl !== undefined)
				.map((d) => [`documentationUrl (v${String(d.version)})`, d.documentationUrl] as [string, unknown]),
		];
		const problems = links.flatMap(([where, url]) => {
			const problem = documentationUrlProblem(url);
			return problem ? [`${where} ${problem}`] : [];
		});
		expect(problems).toEqual([]);
	});

	test.each(credentials.map((c) => [c.credential.name, c.credential] as const))('credential %s: documentationUrl', (_name, credential) => {
		expect(documentationUrlProblem(credential.documentationUrl)).toBeUndefined();
	});
});

// ---------------------------------------------------------------------------------------------------------------
// Rule 2: the subtitle

/** `{…}[$parameter["x"]]` or `({…})[$parameter.x]`; group 1 = the map's body, 2 = the quote, 3 or 4 = the parameter name. */
const LOOKUP = new RegExp(
	String.raw`\(?\s*\{([^{}]*)\}\s*\)?\s*\[\s*\$parameter\s*(?:\[\s*(["'])([A-Za-z_$][\w$]*)\2\s*\]|\.([A-Za-z_$][\w$]*))\s*\]`,
	'g',
);
const STRING = String.raw`"([^"\\]*)"|'([^'\\]*)'`;
/** One `key: "Word"` entry; the key quoted (groups 1, 2) or a bare identifier (3), the word quoted (4, 5). */
const MAP_ENTRY = new RegExp(String.raw`\s*(?:${STRING}|([A-Za-z_$][\w$]*))\s*:\s*(?:${STRING})\s*(?:,|$)`, 'y');

/** `($parameter["x"] || []).map(v => ({…})[v]).join("…")`; group 2 or 3 = the parameter name, 5 = the map's body. */
const MULTI_LOOKUP = new RegExp(
	String.raw`\(\s*\$parameter\s*(?:\[\s*(["'])([A-Za-z_$][\w$]*)\1\s*\]|\.([A-Za-z_$][\w$]*))\s*\|\|\s*\[\s*\]\s*\)` +
		String.raw`\s*\.map\(\s*\(?\s*([A-Za-z_$][\w$]*)\s*\)?\s*=>\s*\(\s*\{([^{}]*)\}\s*\)\s*\[\s*\4\s*\]\s*\)\s*\.join\(\s*(?:"[^"\\]*"|'[^'\\]*')\s*\)`,
	'g',
);

interface Lookup {
	parameter: string;
	words: Map<string, string>;
	/** A multi-select: the parameter's value is a list of option values. */
	multi: boolean;
}

/** The lookups in a subtitle and the rule violations found without evaluating it. */
function analyseSubtitle(subtitle: string, properties: INodeProperties[]): { lookups: Lookup[]; problems: string[] } {
	const problems: string[] = [];
	const lookups: Lookup[] = [];
	const found = [
		...[...subtitle.matchAll(MULTI_LOOKUP)].map((m) => ({ body: m[5], parameter: m[2] ?? m[3], multi: true })),
		...[...subtitle.replace(MULTI_LOOKUP, '').matchAll(LOOKUP)].map((m) => ({ body: m[1], parameter: m[3] ?? m[4], multi: false })),
	];
	for (const { body, parameter, multi } of found) {
		const propertyType = multi ? 'multiOptions' : 'options';
		const words = new Map<string, string>();
		MAP_ENTRY.lastIndex = 0;
		while (MAP_ENTRY.lastIndex < body.length && body.slice(MAP_ENTRY.lastIndex).trim() !== '') {
			const entry = MAP_ENTRY.exec(body);
			if (!entry) {
				problems.push(`the map for $parameter["${parameter}"] is not a flat map of string literals: {${body}}`);
				break;
			}
			words.set(entry[1] ?? entry[2] ?? entry[3], entry[4] ?? entry[5]);
		}
		lookups.push({ parameter, words, multi });

		const namesakes = properties.filter((p) => p.name === parameter);
		if (namesakes.length === 0 || namesakes.some((p) => p.type !== propertyType)) {
			problems.push(`$parameter["${parameter}"] is not a property of type ${propertyType} (its values could not all be named)`);
			continue;
		}
		const options = namesakes.flatMap((p) => (p.options ?? []) as INodePropertyOptions[]);
		const values = [...new Set(options.map((o) => String(o.value)))].sort();
		const keys = [...words.keys()].sort();
		if (JSON.stringify(keys) !== JSON.stringify(values)) {
			problems.push(`the map for $parameter["${parameter}"] has keys ${JSON.stringify(keys)}, its options are ${JSON.stringify(values)}`);
		}
		for (const [value, word] of words) {
			const shown = options.filter((o) => String(o.value) === value).flatMap((o) => [o.name, o.action].filter((t): t is string => !!t));
			if (shown.length > 0 && !shown.includes(word)) {
				problems.push(`$parameter["${parameter}"] = "${value}" reads "${word}", the editor shows ${shown.map((t) => `"${t}"`).join(' or ')}`);
			}
		}
	}
	const rest = subtitle.replace(MULTI_LOOKUP, '').replace(LOOKUP, '');
	if (/\$parameter/.test(rest)) problems.push(`the subtitle prints a raw parameter value: ${subtitle}`);
	return { lookups, problems };
}

/** Every combination of the looked-up parameters' values, as node parameters. */
function combinations(lookups: Lookup[]): Array<Record<string, string | string[]>> {
	let result: Array<Record<string, string | string[]>> = [{}];
	for (const { parameter, words, multi } of lookups) {
		if (parameter in result[0]) continue;
		// A multi-select: each value alone, and all of them at once.
		const values: Array<string | string[]> = multi ? [...[...words.keys()].map((v) => [v]), [...words.keys()]] : [...words.keys()];
		result = result.flatMap((partial) => values.map((value) => ({ ...partial, [parameter]: value })));
	}
	return result;
}

/** The subtitle as the editor computes it (`workflow.expression.getSimpleParameterValue`, mode `internal`). */
function evaluateSubtitle(type: INodeType | IVersionedNodeType, description: INodeTypeDescription, parameters: Record<string, string | string[]>): unknown {
	const typeName = `test.${description.name}`;
	const version = Array.isArray(description.version) ? description.version[0] : description.version;
	const nodeTypes: INodeTypes = {
		getByName: () => type,
		getByNameAndVersion: (_name, v) => NodeHelpers.getVersionedNodeType(type, v),
		getKnownTypes: () => ({}),
	};
	const node: INode = { id: '1', name: 'Node', type: typeName, typeVersion: version, position: [0, 0], parameters };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return workflow.expression.getSimpleParameterValue(node, description.subtitle, 'internal', {});
}

describe('canvas subtitles are words, never raw parameter values', () => {
	const cases = nodes.flatMap((n) => n.descriptions.map((d) => [`${d.displayName} v${String(d.version)}`, n, d] as const));

	test.each(cases)('%s', (_label, node, description) => {
		const subtitle = description.subtitle;
		if (subtitle === undefined) return; // n8n then shows the operation's own name
		const { lookups, problems } = analyseSubtitle(subtitle, description.properties);
		expect(problems).toEqual([]);
		for (const parameters of combinations(lookups)) {
			const text = evaluateSubtitle(node.type, description, parameters);
			expect(typeof text).toBe('string');
			expect(text).not.toMatch(/undefined|null|\[object/);
			for (const { parameter, words } of lookups) {
				for (const value of ([] as string[]).concat(parameters[parameter])) expect(text).toContain(words.get(value));
			}
		}
	});
});

describe('the subtitle rule itself', () => {
	const properties = [
		{ displayName: 'Resource', name: 'resource', type: 'options', default: 'a', options: [{ name: 'Apple', value: 'a' }, { name: 'Banana Split', value: 'bananaSplit' }] },
		{ displayName: 'Count', name: 'count', type: 'number', default: 1 },
		{ displayName: 'Fruits', name: 'fruits', type: 'multiOptions', default: [], options: [{ name: 'Apple', value: 'a' }, { name: 'Banana Split', value: 'bananaSplit' }] },
	] as INodeProperties[];

	test.each([
		['a raw value', '={{$parameter["resource"]}}', /raw parameter value/],
		['a raw value beside a lookup', '={{ {"a":"Apple","bananaSplit":"Banana Split"}[$parameter["resource"]] + $parameter.count }}', /raw parameter value/],
		['a map missing an option', '={{ {"a":"Apple"}[$parameter["resource"]] }}', /has keys \["a"\], its options are \["a","bananaSplit"\]/],
		['a map with internal names as words', '={{ {"a":"a","bananaSplit":"bananaSplit"}[$parameter["resource"]] }}', /reads "bananaSplit", the editor shows "Banana Split"/],
		['a map over a non-options parameter', '={{ {"1":"One"}[$parameter["count"]] }}', /not a property of type options/],
		['a multi-select lookup over an options parameter', '={{ ($parameter["resource"] || []).map(v => ({"a":"Apple","bananaSplit":"Banana Split"})[v]).join(", ") }}', /not a property of type multiOptions/],
		['a multi-select printed raw beside its words', '={{ ($parameter["resource"] || []).map(v => ({"a":"Apple","bananaSplit":"Banana Split"})[v] || v).join(", ") }}', /raw parameter value/],
		['a map that is not flat strings', '={{ {"a":x,"bananaSplit":"Banana Split"}[$parameter["resource"]] }}', /not a flat map of string literals/],
	])('refuses %s', (_label, subtitle, problem) => {
		expect(analyseSubtitle(subtitle, properties).problems.join('\n')).toMatch(problem);
	});

	test('accepts a multi-select named one word per chosen value', () => {
		const { lookups, problems } = analyseSubtitle('={{ "On " + ($parameter["fruits"] || []).map(v => ({"a":"Apple","bananaSplit":"Banana Split"})[v]).join(", ") }}', properties);
		expect(problems).toEqual([]);
		expect(lookups).toEqual([{ parameter: 'fruits', words: new Map([['a', 'Apple'], ['bananaSplit', 'Banana Split']]), multi: true }]);
		expect(combinations(lookups)).toEqual([{ fruits: ['a'] }, { fruits: ['bananaSplit'] }, { fruits: ['a', 'bananaSplit'] }]);
	});

	test('accepts a lookup map of option names, quoted or dotted, in parentheses or not', () => {
		expect(analyseSubtitle('={{ ({"a":"Apple","bananaSplit":"Banana Split"})[$parameter["resource"]] + ": items" }}', properties).problems).toEqual([]);
		expect(analyseSubtitle("={{ {a:'Apple', 'bananaSplit': 'Banana Split'}[$parameter.resource] }}", properties).problems).toEqual([]);
	});
});
