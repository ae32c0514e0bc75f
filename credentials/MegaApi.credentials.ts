import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * A MEGA account for the MEGA Cloud node and the MEGA Trigger. MEGA's API is not plain HTTP with a token (logins
 * derive keys and decrypt a session id), so this credential has no `authenticate`; the nodes test it with
 * `megaApiTest` (a real login, see nodes/shared/mega-client.ts) and log in through the protocol core.
 */
export class MegaApi implements ICredentialType {
	name = 'megaApi';

	displayName = 'MEGA API';

	icon: Icon = { light: 'file:mega.svg', dark: 'file:mega.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-mega/n8n-nodes-mega/blob/main/docs/credentials/mega-api.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Connect With',
			name: 'mode',
			type: 'options',
			options: [
				{
					name: 'Account (Email and Password)',
					value: 'account',
					description: 'Log in with the account email and password (and the 2FA secret when 2FA is on)',
				},
				{
					name: 'Session String',
					value: 'session',
					description: 'Resume a session made once with the mega-session command: no password stored, no login per restart',
				},
				{
					name: 'Anonymous',
					value: 'anonymous',
					description: 'A temporary anonymous account: upload and share links, open public links. It lasts while n8n runs.',
				},
			],
			default: 'account',
		},
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'e.g. name@example.com',
			default: '',
			required: true,
			displayOptions: { show: { mode: ['account'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { mode: ['account'] } },
		},
		{
			displayName: 'TOTP Secret (2FA)',
			name: 'totpSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'e.g. JBSWY3DPEHPK3PXP',
			description: 'Only for accounts with two-factor authentication: the base32 secret shown when 2FA was set up',
			hint: 'A 6-digit code from an app expires in 30 seconds, so workflows that run unattended need the secret itself. Or use a session string instead.',
			displayOptions: { show: { mode: ['account'] } },
		},
		{
			displayName: 'Session String',
			name: 'sessionToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. mega-session:v1:…',
			description: 'Made by running "npx -p n8n-nodes-mega mega-session --email you@example.com" once. It grants full access to the account: keep it secret.',
			hint: 'Logging out of this session elsewhere (or "log out of all devices" in MEGA) makes it invalid; create a new one then',
			displayOptions: { show: { mode: ['session'] } },
		},
		{
			displayName: 'API Gateway URL',
			name: 'gateway',
			type: 'string',
			default: 'https://g.api.mega.co.nz/',
			placeholder: 'e.g. https://g.api.mega.co.nz/',
			description: "Advanced: MEGA's API address. Change it only for a test server.",
		},
	];
}
