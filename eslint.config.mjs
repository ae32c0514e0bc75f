// Two regimes:
//  - nodes/, credentials/ and package.json get n8n's own community-node rules (self-hosted variant),
//    which is what n8n's scanner checks;
//  - core/, sandbox/, test/, bench/ and scripts/ get ordinary TypeScript lint, so the core never imports n8n.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';

const n8nScope = ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'];
const scoped = (configs) => configs.map((c) => ({ ...c, files: n8nScope }));

export default tseslint.config(
	// test/e2e/n8n holds only the manifest and lockfile of the n8n the e2e layer installs elsewhere.
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**', '**/*.d.ts', 'test/e2e/n8n/**'] },
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, ...tseslint.configs.recommended],
		languageOptions: { globals: { ...globals.node } },
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
	{ files: ['**/*.js', '**/*.mjs'], extends: [js.configs.recommended], languageOptions: { globals: { ...globals.node } } },
	...scoped([communityNodes.configs.recommendedWithoutN8nCloudSupport]),
	{
		files: ['package.json'],
		// n8n's package.json rules walk it as a JS object expression, as n8n's own config parses it.
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.community.rules,
			// Self-hosted only by design: the S4 node needs the AWS SDK at runtime (README, "Install in n8n").
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// The old rule wants a camelCase slug; n8n's current community rule wants a full URL for community packages.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// The old rules want the literal 'main'; n8n's current community rule wants NodeConnectionTypes.Main.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
);
