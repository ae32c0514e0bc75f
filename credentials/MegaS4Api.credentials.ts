import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * MEGA S4 keys. Requests are signed with SigV4 by the AWS SDK inside the node, so this credential has no
 * `authenticate`; it is tested by the MEGA S4 node's `megaS4ApiTest` (a real signed ListBuckets).
 */
export class MegaS4Api implements ICredentialType {
	name = 'megaS4Api';

	displayName = 'MEGA S4 API';

	icon: Icon = { light: 'file:megaS4.svg', dark: 'file:megaS4.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-mega/n8n-nodes-mega/blob/main/docs/credentials/mega-s4-api.md';

	properties: INodeProperties[] = [
		{
			displayName:
				'MEGA S4 is object storage included with MEGA Pro plans. Create an access key in MEGA under Object storage → Keys.',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Access Key ID',
			name: 'accessKeyId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. AKIAEXAMPLE123',
		},
		{
			displayName: 'Secret Access Key',
			name: 'secretAccessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'Amsterdam - eu-central-1', value: 'eu-central-1' },
				{ name: 'Luxembourg - eu-central-2', value: 'eu-central-2' },
				{ name: 'Montreal - ca-central-1', value: 'ca-central-1' },
				{ name: 'Vancouver - ca-west-1', value: 'ca-west-1' },
				{ name: 'Other', value: 'other' },
			],
			default: 'eu-central-1',
			description:
				'Where requests go (https://s3.&lt;region&gt;.s4.mega.io). S4 buckets can be reached from every region; pick the closest.',
		},
		{
			displayName: 'Region Name',
			name: 'otherRegion',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. eu-central-3',
			description:
				'The code of a region not listed above. Requests are signed for it and, unless a custom endpoint is set, go to https://s3.&lt;region&gt;.s4.mega.io.',
			displayOptions: { show: { region: ['other'] } },
		},
		{
			displayName: 'Custom Endpoint',
			name: 'endpoint',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://s3.eu-central-1.s4.mega.io',
			description: "Leave empty to use the region's endpoint. Set it for new MEGA regions or a local test server.",
		},
		{
			displayName: 'Force Path Style',
			name: 'forcePathStyle',
			type: 'boolean',
			default: true,
			description:
				'Whether to put the bucket in the URL path instead of the host name. Keep it on: bucket names with dots only work this way over HTTPS.',
		},
	];
}
