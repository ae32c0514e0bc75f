#!/usr/bin/env node
/**
 * mega-session: logs into MEGA once (asking for a 2FA code when the account needs one) and prints an exported session
 * string for the credential's "session" mode, so workflows never send the password or solve login hashcash again.
 *
 *   mega-session --email you@example.com [--gateway URL] [--totp-secret BASE32] [--ephemeral]
 *   password: $MEGA_PASSWORD, else asked on the terminal (hidden), else the first line of stdin.
 * Only the session string goes to stdout; prompts and errors go to stderr.
 */
import * as readline from 'node:readline';

import { MegaApiTransport, DEFAULT_GATEWAY } from '../api/transport';
import { MegaError } from '../errors';
import { exportSession, login, MegaLoginError, type MegaCredentials } from '../session';

interface CliOptions {
	email?: string;
	gateway: string;
	totpSecret?: string;
	otp?: string;
	ephemeral: boolean;
}

const USAGE = `Usage: mega-session --email <address> [--gateway <url>] [--totp-secret <base32>] [--otp <code>] [--ephemeral]
Password: the MEGA_PASSWORD environment variable, or typed when asked.
Prints one line: the session string to paste into the MEGA credential ("Session" mode). Keep it secret.`;

function parseArgs(argv: string[]): CliOptions {
	const options: CliOptions = { gateway: process.env.MEGA_GATEWAY ?? DEFAULT_GATEWAY, ephemeral: false };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const value = () => {
			const next = argv[++i];
			if (next === undefined) throw new Error(`${arg} needs a value`);
			return next;
		};
		switch (arg) {
			case '--email':
				options.email = value();
				break;
			case '--gateway':
				options.gateway = value();
				break;
			case '--totp-secret':
				options.totpSecret = value();
				break;
			case '--otp':
				options.otp = value();
				break;
			case '--ephemeral':
				options.ephemeral = true;
				break;
			case '--help':
			case '-h':
				process.stderr.write(`${USAGE}\n`);
				process.exit(0);
				break;
			default:
				throw new Error(`Unknown argument ${arg}`);
		}
	}
	return options;
}

/** Reads lines from a non-terminal stdin, one per question. */
class LineReader {
	private readonly lines: string[] = [];
	private readonly waiting: Array<(line: string | undefined) => void> = [];
	private ended = false;

	constructor() {
		const rl = readline.createInterface({ input: process.stdin });
		rl.on('line', (line) => {
			const waiter = this.waiting.shift();
			if (waiter) waiter(line);
			else this.lines.push(line);
		});
		rl.on('close', () => {
			this.ended = true;
			for (const waiter of this.waiting.splice(0)) waiter(undefined);
		});
	}

	next(): Promise<string | undefined> {
		const line = this.lines.shift();
		if (line !== undefined) return Promise.resolve(line);
		if (this.ended) return Promise.resolve(undefined);
		return new Promise((resolve) => this.waiting.push(resolve));
	}
}

let lineReader: LineReader | undefined;

/** Asks on the terminal (input hidden when `hidden`), or reads the next stdin line when stdin is not a terminal. */
async function ask(question: string, hidden: boolean): Promise<string> {
	process.stderr.write(question);
	if (!process.stdin.isTTY) {
		lineReader ??= new LineReader();
		const line = await lineReader.next();
		process.stderr.write('\n');
		if (line === undefined) throw new Error('No input');
		return line.trim();
	}
	return new Promise((resolve, reject) => {
		const stdin = process.stdin;
		let text = '';
		stdin.setRawMode(true);
		stdin.resume();
		const onData = (data: Buffer) => {
			for (const char of data.toString('utf8')) {
				if (char === '\r' || char === '\n') {
					finish();
					resolve(text);
					return;
				}
				if (char === '\u0003') {
					finish();
					reject(new Error('Cancelled'));
					return;
				}
				if (char === '\u007f' || char === '\b') text = text.slice(0, -1);
				else {
					text += char;
					if (!hidden) process.stderr.write(char);
				}
			}
		};
		const finish = () => {
			stdin.off('data', onData);
			stdin.setRawMode(false);
			stdin.pause();
			process.stderr.write('\n');
		};
		stdin.on('data', onData);
	});
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const api = new MegaApiTransport({ gateway: options.gateway });
	let credentials: MegaCredentials;
	if (options.ephemeral) {
		credentials = { kind: 'ephemeral' };
	} else {
		const email = options.email ?? (await ask('MEGA email: ', false));
		const password = process.env.MEGA_PASSWORD || (await ask('MEGA password: ', true));
		credentials = { kind: 'password', email, password, totpSecret: options.totpSecret, otp: options.otp };
	}
	let session;
	try {
		session = await login(api, credentials);
	} catch (error) {
		if (error instanceof MegaLoginError && error.code === 'EMFAREQUIRED' && credentials.kind === 'password') {
			const otp = await ask('Two-factor (2FA) code: ', false);
			session = await login(api, { ...credentials, otp });
		} else {
			throw error;
		}
	}
	process.stdout.write(`${exportSession(session)}\n`);
	process.stderr.write(`Logged in as ${session.email ?? session.userHandle}. Treat the session string like a password.\n`);
	process.exit(0);
}

main().catch((error: unknown) => {
	const message = error instanceof MegaError ? `${error.message}${error.hint ? `\n${error.hint}` : ''}` : error instanceof Error ? error.message : String(error);
	process.stderr.write(`mega-session: ${message}\n`);
	process.exit(1);
});
