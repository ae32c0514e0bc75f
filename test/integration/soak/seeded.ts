import { createCipheriv, createHash } from 'node:crypto';

/** mulberry32: a small seeded generator, so a soak run replays exactly from its seed. */
export class SeededRandom {
	private state: number;

	constructor(seed: number) {
		this.state = seed >>> 0;
	}

	/** [0, 1) */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** An integer in [min, max]. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}

	/** Picks by weight: `[[item, weight], …]`. */
	weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
		const total = items.reduce((sum, [, weight]) => sum + weight, 0);
		let at = this.next() * total;
		for (const [item, weight] of items) {
			at -= weight;
			if (at < 0) return item;
		}
		return items[items.length - 1][0];
	}
}

/** Deterministic file contents for (seed, round): an AES-CTR keystream, fast for tens of MiB. */
export function contentFor(seed: number, round: number, size: number): Buffer {
	const key = createHash('sha256').update(`soak:${seed}:${round}`).digest().subarray(0, 16);
	return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

export function sha256(data: Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}
