import { randomBytes } from 'node:crypto';

import { AesEcb, encryptAttributes, packNodeKey } from '../../../core/mega/crypto';
import { decryptNamesInWorkers, stopNameWorkers } from '../../../core/mega/name-workers';
import { MegaTree, type RawNode } from '../../../core/mega/tree';

afterAll(() => stopNameWorkers());

describe('decryptNamesInWorkers', () => {
	it('gives the same attributes as the single-thread path, null for a wrong key', async () => {
		const keys = [randomBytes(16), randomBytes(16), randomBytes(16)];
		const attrs = [{ n: 'a' }, { n: 'ünï', c: 'x', lbl: 1 }, { n: 'c' }];
		const texts = attrs.map((a, i) => encryptAttributes(a, keys[i]).toString('base64url'));
		const wrong = [...keys];
		wrong[2] = randomBytes(16);
		expect(await decryptNamesInWorkers(wrong, texts, 2)).toEqual([attrs[0], attrs[1], null]);
	});

	it('decrypts a big tree through MegaTree.prepareNames in workers', async () => {
		const master = randomBytes(16);
		const ecb = new AesEcb(master);
		const user = 'UserHandle1';
		const nodes: RawNode[] = [{ h: 'ROOT0000', p: '', u: user, t: 2, a: '', ts: 1 }];
		for (let i = 0; i < 25_000; i++) {
			const key = i % 2 === 0 ? randomBytes(16) : packNodeKey(randomBytes(16), randomBytes(8), randomBytes(8));
			nodes.push({ h: `N${String(i).padStart(7, '0')}`, p: 'ROOT0000', u: user, t: i % 2 === 0 ? 1 : 0, s: 1, a: encryptAttributes({ n: `name-${i}` }, key).toString('base64url'), k: `${user}:${ecb.encrypt(key).toString('base64url')}`, ts: 1 });
		}
		const tree = new MegaTree({ masterKey: master, userHandle: user });
		tree.load({ f: nodes, sn: 'SN000000001' });
		await tree.prepareNames(tree.nodes.values());
		const entries = [...tree.nodes.values()].filter((entry) => entry.t <= 1);
		expect(entries.every((entry, i) => tree.nameOf(entry) === `name-${i}`)).toBe(true);
	});
});
