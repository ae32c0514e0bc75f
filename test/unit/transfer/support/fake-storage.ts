/**
 * A tiny stand-in for MEGA's storage servers and the three commands transfers use (`u`, `p`, `g`, `l`), so the
 * transfer engine can be unit-tested without the sandbox. It stores ciphertext only, like MEGA.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TransferApi } from '../../../../core/mega/transfer';

export type UploadFault = { kind: 'reply'; body: string } | { kind: 'status'; status: number } | { kind: 'drop' };
export type DownloadFault =
	| { kind: 'status'; status: number; headers?: Record<string, string> }
	| { kind: 'truncate'; keep: number }
	| { kind: 'flip'; at: number }
	| { kind: 'drop'; after: number };

interface UploadSlot {
	size: number;
	data: Buffer;
	covered: number;
	tokenSent: boolean;
	dead: boolean;
}

export interface FakeNode {
	h: string;
	p: string;
	t: 0;
	s: number;
	a: string;
	k: string;
	ov?: string;
	data: Buffer;
}

export class FakeStorage implements TransferApi {
	private server!: Server;
	base = '';
	readonly uploads = new Map<string, UploadSlot>();
	readonly tokens = new Map<string, { slot: UploadSlot }>();
	readonly nodes = new Map<string, FakeNode>();
	readonly uploadFaults: UploadFault[] = [];
	readonly downloadFaults: DownloadFault[] = [];
	readonly commands: Array<Record<string, unknown>> = [];
	posts: Array<{ offset: number; length: number }> = [];
	gets: Array<{ start: number; end: number }> = [];
	uCalls = 0;
	/** When set, `g` answers this instead of a URL (e.g. { e: -17, tl: 120 }). */
	getReply?: Record<string, unknown>;

	async start(): Promise<this> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	/** Kills every open upload URL: their next POST answers -4 (and the client must restart). */
	expireUploads(): void {
		for (const slot of this.uploads.values()) slot.dead = true;
	}

	async request<T>(command: Record<string, unknown>): Promise<T> {
		this.commands.push(command);
		switch (command.a) {
			case 'u': {
				this.uCalls++;
				const id = randomBytes(6).toString('hex');
				const size = command.s as number;
				this.uploads.set(id, { size, data: Buffer.alloc(size), covered: 0, tokenSent: false, dead: false });
				return { p: `${this.base}/ul/${id}` } as T;
			}
			case 'p': {
				const [n] = command.n as Array<Record<string, unknown>>;
				const token = Buffer.from(n.h as string, 'base64url').toString('hex');
				const upload = this.tokens.get(token);
				if (!upload) return -2 as T;
				this.tokens.delete(token);
				const h = randomBytes(6).toString('base64url');
				const node: FakeNode = {
					h,
					p: command.t as string,
					t: 0,
					s: upload.slot.size,
					a: n.a as string,
					k: n.k as string,
					ov: n.ov as string | undefined,
					data: upload.slot.data,
				};
				this.nodes.set(h, node);
				const { data: _data, ...wire } = node;
				return { f: [wire] } as T;
			}
			case 'g': {
				if (this.getReply) return this.getReply as T;
				const node = this.nodes.get((command.n ?? command.p) as string);
				if (!node) return { e: -9 } as T;
				return { s: node.s, at: node.a, g: `${this.base}/dl/${node.h}` } as T;
			}
			case 'l':
				return `P${(command.n as string).slice(0, 7)}` as T;
			default:
				throw new Error(`fake: unexpected command ${String(command.a)}`);
		}
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = req.url ?? '';
		const up = /^\/ul\/([0-9a-f]+)\/(\d+)$/.exec(url);
		if (up && req.method === 'POST') return this.handleUpload(up[1], Number(up[2]), req, res);
		const down = /^\/dl\/([^/]+)\/(\d+)-(\d+)$/.exec(url);
		if (down && req.method === 'GET') return this.handleDownload(down[1], Number(down[2]), Number(down[3]), res);
		res.writeHead(404).end();
	}

	private async handleUpload(id: string, offset: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
		const parts: Buffer[] = [];
		const fault = this.uploadFaults.shift();
		if (fault?.kind === 'drop') {
			req.once('data', () => req.socket.destroy());
			return;
		}
		for await (const chunk of req) parts.push(chunk as Buffer);
		const body = Buffer.concat(parts);
		this.posts.push({ offset, length: body.length });
		const slot = this.uploads.get(id);
		if (!slot) return void res.writeHead(404).end();
		if (slot.dead) return void res.writeHead(200).end('-4');
		if (fault?.kind === 'reply') return void res.writeHead(200).end(fault.body);
		if (fault?.kind === 'status') return void res.writeHead(fault.status).end();
		if (offset + body.length > slot.size) return void res.writeHead(200).end('-7');
		body.copy(slot.data, offset);
		slot.covered += body.length;
		if (slot.covered >= slot.size && !slot.tokenSent) {
			slot.tokenSent = true;
			const token = Buffer.concat([randomBytes(35), Buffer.from([1])]);
			this.tokens.set(token.toString('hex'), { slot });
			return void res.writeHead(200).end(token);
		}
		res.writeHead(200).end();
	}

	private handleDownload(handle: string, start: number, end: number, res: ServerResponse): void {
		this.gets.push({ start, end });
		const node = this.nodes.get(handle);
		if (!node || end >= node.s || start > end) return void res.writeHead(404).end();
		let body = node.data.subarray(start, end + 1);
		const fault = this.downloadFaults.shift();
		if (fault?.kind === 'status') return void res.writeHead(fault.status, fault.headers).end();
		if (fault?.kind === 'truncate') body = body.subarray(0, fault.keep);
		if (fault?.kind === 'flip') {
			body = Buffer.from(body);
			body[fault.at] ^= 1;
		}
		if (fault?.kind === 'drop') {
			res.writeHead(200, { 'Content-Length': body.length });
			res.write(body.subarray(0, fault.after), () => res.socket?.destroy());
			return;
		}
		res.writeHead(200, { 'Content-Length': body.length }).end(body);
	}
}
