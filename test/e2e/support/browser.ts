/**
 * Debian's `chromium` driven by puppeteer-core (no browser download), headless, with a fresh profile per launch and
 * nothing that phones home; and the REST calls that make a fresh n8n usable from it (owner set-up, sign-in cookie).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface Chromium {
	browser: Browser;
	close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
	if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; the editor test drives Debian's chromium (apt-get install chromium; .ci/run installs it)`);
	const profile = mkdtempSync(join(tmpdir(), 'mega-e2e-chromium-'));
	const browser = await puppeteer.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			`--user-data-dir=${profile}`,
		],
		defaultViewport: { width: 1280, height: 860, deviceScaleFactor: 1 },
	});
	return {
		browser,
		close: async () => {
			await browser.close();
			rmSync(profile, { recursive: true, force: true });
		},
	};
}

export const OWNER = { email: 'owner@sandbox.local', firstName: 'Sandbox', lastName: 'Owner', password: 'Sandbox-owner-1' };

/** Sets up the instance owner (a fresh n8n has none) and returns the `n8n-auth` cookie of a signed-in session. */
export async function ownerSession(baseUrl: string): Promise<string> {
	const setup = await fetch(`${baseUrl}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
	if (!setup.ok) throw new Error(`owner set-up failed: HTTP ${setup.status} ${await setup.text()}`);
	const login = await fetch(`${baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
	});
	if (!login.ok) throw new Error(`sign-in failed: HTTP ${login.status} ${await login.text()}`);
	const cookie = login.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
	if (!cookie) throw new Error('sign-in answered without an n8n-auth cookie');
	return cookie.split(';')[0].slice('n8n-auth='.length);
}
