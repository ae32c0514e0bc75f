import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { NodeStore, decodeBase64url, handleNumber } from '../../../core/mega/node-store';

function randomHandle(): string {
	return randomBytes(6).toString('base64url');
}

function childHandles(store: NodeStore, handle: string): string[] {
	return [...store.childSlots(store.slotOf(handle))].map((slot) => store.handleOf(slot));
}

describe('NodeStore (the columns behind MegaTree)', () => {
	it('finds every present handle and no removed one through many puts and removals (index growth, deletion by shifting)', () => {
		const store = new NodeStore(4);
		const present = new Set<string>();
		const removed = new Set<string>();
		// A small table that grows, with removals in between, exercises the probe runs and the backward shift.
		for (let round = 0; round < 20; round++) {
			for (let i = 0; i < 500; i++) {
				const handle = randomHandle();
				store.put({ h: handle, t: 0, s: i }, '');
				present.add(handle);
				removed.delete(handle);
			}
			for (const handle of [...present].filter((_, index) => index % 3 === round % 3)) {
				store.remove(store.find(handle));
				present.delete(handle);
				removed.add(handle);
			}
			for (const handle of present) expect(store.handleOf(store.find(handle))).toBe(handle);
			for (const handle of removed) expect(store.find(handle)).toBe(-1);
			expect(store.size).toBe(present.size);
		}
		// A removed handle that comes back gets a new slot (slots are never reused).
		const again = [...removed][0];
		const before = store.count;
		const slot = store.put({ h: again, t: 1 }, '');
		expect(slot).toBe(before);
		expect(store.find(again)).toBe(slot);
	});

	it('keeps handles that are not 8 base64url characters as sent', () => {
		const store = new NodeStore();
		for (const handle of ['short', 'ROOT', 'has space', 'ünïcode8', 'exactly8', 'AAAAAAAA']) {
			const slot = store.put({ h: handle, t: 1 }, '');
			expect(store.handleOf(slot)).toBe(handle);
			expect(store.find(handle)).toBe(slot);
		}
		store.remove(store.find('short'));
		expect(store.find('short')).toBe(-1);
		expect(handleNumber('exactly8')).toBeGreaterThanOrEqual(0);
		expect(handleNumber('has space')).toBe(-1);
	});

	it('keeps children in arrival order, moves a child to the end of its new parent, and holds a parent that comes later', () => {
		const store = new NodeStore();
		store.put({ h: 'CHILD001', p: 'PARENT01', t: 0 }, '');
		store.put({ h: 'CHILD002', p: 'PARENT01', t: 0 }, '');
		// The parent is not present yet: it has a phantom slot that find() does not report.
		expect(store.find('PARENT01')).toBe(-1);
		expect(childHandles(store, 'PARENT01')).toEqual(['CHILD001', 'CHILD002']);
		store.put({ h: 'PARENT01', t: 1 }, '');
		store.put({ h: 'OTHER001', t: 1 }, '');
		store.put({ h: 'CHILD003', p: 'PARENT01', t: 0 }, '');
		expect(childHandles(store, 'PARENT01')).toEqual(['CHILD001', 'CHILD002', 'CHILD003']);
		store.setParent(store.find('CHILD002'), 'OTHER001');
		store.setParent(store.find('CHILD001'), 'OTHER001');
		expect(childHandles(store, 'PARENT01')).toEqual(['CHILD003']);
		expect(childHandles(store, 'OTHER001')).toEqual(['CHILD002', 'CHILD001']);
		store.setParent(store.find('CHILD002'), 'PARENT01');
		expect(childHandles(store, 'PARENT01')).toEqual(['CHILD003', 'CHILD002']);
		expect(store.parentHandle(store.find('CHILD002'))).toBe('PARENT01');
		store.setParent(store.find('CHILD003'), null);
		expect(store.parentHandle(store.find('CHILD003'))).toBeNull();
		expect(childHandles(store, 'PARENT01')).toEqual(['CHILD002']);
	});

	it('reads attribute texts back exactly, pooled or not, and keeps keys, key texts and file attributes per node', () => {
		const store = new NodeStore();
		const texts = [randomBytes(96).toString('base64url'), randomBytes(95).toString('base64url'), 'ab+/cd==', 'abcde', 'A'.repeat(17), 'AB', ''];
		const slots = texts.map((a, index) => store.put({ h: `ATTR000${index}`, t: 0, a }, index === 0 ? 'user:key' : ''));
		slots.forEach((slot, index) => expect(store.attributeText(slot)).toBe(texts[index]));
		expect(store.keyTexts.get(slots[0])).toBe('user:key');
		const key = randomBytes(32);
		store.setKey(slots[1], key);
		store.setKey(slots[2], null);
		expect(store.key(slots[1])?.equals(key)).toBe(true);
		expect(store.key(slots[2])).toBeNull();
		expect(store.key(slots[3])).toBeUndefined();
		const copy = store.clone();
		store.setAttributeText(slots[0], 'changedchangedchanged');
		expect(copy.attributeText(slots[0])).toBe(texts[0]);
		expect(store.attributeText(slots[0])).toBe('changedchangedchanged');
	});

	it('decodes only canonical base64url (what would encode back to the same text)', () => {
		const target = Buffer.alloc(64);
		for (let length = 0; length < 40; length++) {
			const bytes = randomBytes(length);
			const text = Buffer.from(bytes.toString('base64url'));
			expect(decodeBase64url(text, 0, text.length, target, 0)).toBe(length);
			expect(target.subarray(0, length).equals(bytes)).toBe(true);
		}
		for (const bad of ['abcde', 'ab+/', 'ab==', 'AB', 'ABC', 'a b']) {
			const text = Buffer.from(bad);
			const decoded = decodeBase64url(text, 0, text.length, target, 0);
			const canonical = decoded >= 0 && target.subarray(0, decoded).toString('base64url') === bad;
			expect(decoded < 0 || canonical).toBe(true);
		}
		// 'AB' has unused bits set (B = 000001), 'AA' does not.
		expect(decodeBase64url(Buffer.from('AB'), 0, 2, target, 0)).toBe(-1);
		expect(decodeBase64url(Buffer.from('AA'), 0, 2, target, 0)).toBe(1);
	});

	it('unwraps staged keys in place across many pool chunks, skipping texts that are not canonical', () => {
		const store = new NodeStore();
		const master = randomBytes(16);
		const wrap = (key: Buffer) => {
			const cipher = createCipheriv('aes-128-ecb', master, null).setAutoPadding(false);
			return Buffer.concat([cipher.update(key), cipher.final()]);
		};
		const expected = new Map<number, Buffer>();
		// 16- and 32-byte keys, as text or as bytes, enough to fill several chunks (2 KiB doubling, ~470 KiB in all); every
		// 97th text is not canonical base64url: nothing is staged for it.
		for (let i = 0; i < 20_000; i++) {
			const slot = store.put({ h: randomHandle(), t: i % 2 }, '');
			const key = randomBytes(i % 3 === 0 ? 32 : 16);
			let text = wrap(key).toString('base64url');
			// '_' as the last character sets bits that 16 or 32 bytes leave unused.
			if (i % 97 === 0) text = `${text.slice(0, -1)}_`;
			const staged = i % 2 === 0 ? store.stageWrappedKey(slot, `own:${text}`, 4, text.length + 4, key.length) : store.stageWrappedKey(slot, Buffer.from(text), 0, text.length, key.length);
			if (i % 97 === 0) {
				expect(staged).toBe(false);
				expect(store.key(slot)).toBeUndefined();
				continue;
			}
			expect(staged).toBe(true);
			expect(store.key(slot)).not.toBeUndefined();
			expected.set(slot, key);
		}
		store.decryptStagedKeys((wrapped) => {
			expect(wrapped.length % 16).toBe(0);
			const decipher = createDecipheriv('aes-128-ecb', master, null).setAutoPadding(false);
			return Buffer.concat([decipher.update(wrapped), decipher.final()]);
		});
		for (const [slot, key] of expected) expect(store.key(slot)?.equals(key)).toBe(true);
		// A key set afterwards lands after the unwrapped ones and is kept as given.
		const later = store.put({ h: randomHandle(), t: 0 }, '');
		const plain = randomBytes(32);
		store.setKey(later, plain);
		expect(store.key(later)?.equals(plain)).toBe(true);
	});

	it('keeps every node, link and key through a load past the small sizes, its fit, and growth afterwards', () => {
		const store = new NodeStore();
		// As StagedNodes does: past ~2,400 slots the columns go to one mapped buffer until fit().
		store.loading = true;
		const folders = Array.from({ length: 20 }, () => randomHandle());
		for (const folder of folders) store.put({ h: folder, t: 1 }, '');
		const files: Array<{ h: string; p: string; key: Buffer }> = [];
		// 5,000 slots: past the heap-sized buffers (~2,400 slots) into the mapped one, then fitted.
		for (let i = 0; i < 5_000; i++) {
			const file = { h: randomHandle(), p: folders[i % folders.length], key: randomBytes(32) };
			const slot = store.put({ h: file.h, p: file.p, t: 0, s: i, a: randomBytes(32).toString('base64url') }, '');
			store.setKey(slot, file.key);
			files.push(file);
		}
		const check = (size: number) => {
			files.forEach((file, index) => {
				const slot = store.find(file.h);
				expect(store.nodeSize[slot]).toBe(index);
				expect(store.parentHandle(slot)).toBe(file.p);
				expect(store.key(slot)?.equals(file.key)).toBe(true);
			});
			expect(childHandles(store, folders[3])).toEqual(files.filter((file) => file.p === folders[3]).map((file) => file.h));
			expect(store.size).toBe(size);
		};
		check(5_020);
		store.fit();
		check(5_020);
		// Grows again after the fit, and a new node lands where it should.
		const late = randomHandle();
		store.put({ h: late, p: folders[0], t: 0 }, '');
		expect(childHandles(store, folders[0]).at(-1)).toBe(late);
		check(5_021);
	});
});
