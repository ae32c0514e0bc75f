/** A small in-memory MEGA tree and action packets for it (no server): the trigger's unit tests describe changes with it. */
import { randomBytes } from 'node:crypto';

import { AesEcb, encryptAttributes, packNodeKey } from '../../../core/mega/crypto';
import type { MegaChangeEvent } from '../../../core/mega/changes';
import { MegaTree, type RawNode } from '../../../core/mega/tree';

const master = randomBytes(16);
export const USER = 'UserHandle1';
const ecb = new AesEcb(master);

export const ROOT = 'ROOT0000';
export const RUBBISH = 'RUBBISH0';

export class FixtureTree {
	readonly tree = new MegaTree({ masterKey: master, userHandle: USER });
	private readonly keys = new Map<string, Buffer>();
	private readonly raws = new Map<string, RawNode>();
	private seq = 1;
	private clock = 1_700_000_000;
	private tagSeq = 0;

	constructor(nodes: Array<{ h: string; p: string; name: string; file?: boolean }> = []) {
		const raws: RawNode[] = [
			{ h: ROOT, p: '', u: USER, t: 2, a: '', ts: 1 },
			{ h: 'INBOX000', p: '', u: USER, t: 3, a: '', ts: 1 },
			{ h: RUBBISH, p: '', u: USER, t: 4, a: '', ts: 1 },
		];
		for (const node of nodes) raws.push(this.make(node.h, node.p, node.name, node.file ?? false));
		this.tree.load({ f: raws, ok: [], s: [], sn: this.nextSn() });
	}

	private nextSn(): string {
		return `SN${String(this.seq++).padStart(9, '0')}`;
	}

	get sn(): string {
		return this.tree.sn;
	}

	make(h: string, p: string, name: string, file: boolean, extra: Partial<RawNode> = {}): RawNode {
		const key = file ? packNodeKey(randomBytes(16), randomBytes(8), randomBytes(8)) : randomBytes(16);
		this.keys.set(h, key);
		const raw: RawNode = {
			h,
			p,
			u: USER,
			t: file ? 0 : 1,
			s: file ? 42 : undefined,
			a: encryptAttributes({ n: name }, key).toString('base64url'),
			k: `${USER}:${ecb.encrypt(key).toString('base64url')}`,
			ts: (this.clock += 1),
			...extra,
		};
		this.raws.set(h, raw);
		return raw;
	}

	/** Applies packets as the live tree would and returns the events (own when `i` is 'mine'). */
	apply(packets: Array<Record<string, unknown>>): MegaChangeEvent[] {
		const sn = this.nextSn();
		const events = this.tree.applyPackets(packets, sn, (i) => i === 'mine');
		this.tree.sn = sn;
		return events;
	}

	add(h: string, p: string, name: string, file = true, own = false): MegaChangeEvent[] {
		return this.apply([{ a: 't', ...(own ? { i: 'mine' } : { i: `other${this.tagSeq++}` }), t: { f: [this.make(h, p, name, file)] } }]);
	}

	newVersion(h: string, old: string, name: string): MegaChangeEvent[] {
		const parent = this.tree.get(old)?.p ?? ROOT;
		const fresh = this.make(h, parent, name, true);
		const previous = { ...(this.raws.get(old) as RawNode), p: h };
		return this.apply([{ a: 't', t: { f: [fresh], f2: [previous] } }]);
	}

	rename(h: string, name: string): MegaChangeEvent[] {
		const at = encryptAttributes({ n: name }, this.keys.get(h) as Buffer).toString('base64url');
		return this.apply([{ a: 'u', n: h, at }]);
	}

	move(h: string, target: string): MegaChangeEvent[] {
		const raw = { ...(this.raws.get(h) as RawNode), p: target };
		const entry = this.tree.get(h);
		if (entry) raw.a = entry.a;
		this.raws.set(h, raw);
		return this.apply([{ a: 'd', n: h, m: 1 }, { a: 't', t: { f: [raw] } }]);
	}

	remove(h: string): MegaChangeEvent[] {
		return this.apply([{ a: 'd', n: h }]);
	}

	link(h: string, on = true): MegaChangeEvent[] {
		return this.apply([on ? { a: 'ph', h, ph: `P${h.slice(1)}`, n: 1 } : { a: 'ph', h, d: 1 }]);
	}

	/** A fresh `f` of the same account (what a reload after -6 sees), with extra nodes. */
	reloadedCopy(): RawNode[] {
		return [...this.tree.nodes.values()].map((entry) => {
			const raw = this.raws.get(entry.h);
			return raw ? { ...raw, p: entry.p ?? '', a: entry.a } : { h: entry.h, p: '', u: USER, t: entry.t, a: '', ts: 1 };
		});
	}

	reload(nodes: RawNode[]): void {
		this.tree.load({ f: nodes, ok: [], s: [], sn: this.nextSn() });
	}
}
