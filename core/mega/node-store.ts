/**
 * The nodes of one tree in columns: typed arrays indexed by a dense slot number, instead of one JS object (and a
 * handle string, a Map entry and a Set entry) per node. A 300,000-node account then costs a few dozen typed arrays and
 * byte pools (mostly outside the V8 heap) rather than ~1.2 million small heap objects; the young generation is not
 * grown by survivors at load either (Node 22+ grows semi-spaces to 64 MiB when most allocations survive, and keeps
 * them committed).
 *
 * - Handles: MEGA's 8-character base64url node handles are 48-bit numbers (`handleHigh` 16 bits, `handleLow` 32 bits),
 *   found through an open-addressing hash table of slot numbers. Any other handle text (tests, odd replies) is kept
 *   in a side map and reads back as sent.
 * - Parents and children: `parent`, `firstChild`, `lastChild`, `nextSibling`, `previousSibling` hold slots; children
 *   are kept in arrival order. A parent that is named but not (yet) present has a "phantom" slot (no EXISTS flag).
 * - Attributes `a` and unwrapped node keys: bytes in two chunked pools (`BytePool`), reached by position and length.
 *   Texts that would not read back identically, wrapped key texts still needed, `fa` and decrypted attributes live in
 *   side maps (few entries on a usual account).
 *
 * Slots are never reused: a removed node's slot stays dead, so a stale TreeEntry cannot read another node.
 */
import type { RawNode } from './tree';

const EXISTS = 1;
const ODD_HANDLE = 2;
/** A removed node's slot, out of the handle index for good. */
const DEAD = 4;

/** attrAt values that are not pool positions. */
const ATTR_NONE = 0xffffffff;
const ATTR_SIDE = 0xfffffffe;

/** keyLength values that are not byte lengths in the pool. */
export const KEY_UNKNOWN = 0;
export const KEY_NONE = 1;
const KEY_SIDE = 2;

const CHUNK_BITS = 20;
const CHUNK_LIMIT = 1 << CHUNK_BITS;
/** Texts this long or longer are kept as text (an attribute is a few hundred bytes; attrLength is 16 bits). */
const BYTES_LIMIT = 65_536;
/** Positions are 32-bit: chunk × 2^20 + offset. */
const MAX_CHUNKS = 4096;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DIGIT = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) DIGIT[BASE64URL.charCodeAt(i)] = i;
const TWO_32 = 2 ** 32;

/** A handle of 8 base64url characters in `bytes` as a 48-bit number, or -1. */
export function handleNumberOfBytes(bytes: Uint8Array, start: number, end: number): number {
	if (end - start !== 8) return -1;
	let value = 0;
	for (let i = start; i < end; i++) {
		const digit = DIGIT[bytes[i]];
		if (digit < 0) return -1;
		value = value * 64 + digit;
	}
	return value;
}

/**
 * Decodes base64url text (no padding) held as bytes into `target` at `offset`; returns the byte count, or -1 when the
 * text is not canonical (a character outside the alphabet, a stray length, unused bits set), i.e. whenever encoding
 * the bytes again would not give the same text.
 */
export function decodeBase64url(source: Uint8Array, start: number, end: number, target: Uint8Array, offset: number): number {
	const rest = (end - start) & 3;
	if (rest === 1) return -1;
	let out = offset;
	let i = start;
	for (const whole = end - rest; i < whole; i += 4) {
		const a = DIGIT[source[i]];
		const b = DIGIT[source[i + 1]];
		const c = DIGIT[source[i + 2]];
		const d = DIGIT[source[i + 3]];
		if ((a | b | c | d) < 0) return -1;
		const value = (a << 18) | (b << 12) | (c << 6) | d;
		target[out++] = value >> 16;
		target[out++] = (value >> 8) & 255;
		target[out++] = value & 255;
	}
	if (rest >= 2) {
		const a = DIGIT[source[i]];
		const b = DIGIT[source[i + 1]];
		const c = rest === 3 ? DIGIT[source[i + 2]] : 0;
		if ((a | b | c) < 0 || (rest === 2 ? b & 15 : c & 3) !== 0) return -1;
		target[out++] = ((a << 2) | (b >> 4)) & 255;
		if (rest === 3) target[out++] = ((b << 4) | (c >> 2)) & 255;
	}
	return out - offset;
}

/** A node handle as a 48-bit number, or -1 when it is not 8 base64url characters. */
export function handleNumber(handle: string): number {
	if (handle.length !== 8) return -1;
	let value = 0;
	for (let i = 0; i < 8; i++) {
		const code = handle.charCodeAt(i);
		const digit = code < 128 ? DIGIT[code] : -1;
		if (digit < 0) return -1;
		value = value * 64 + digit;
	}
	return value;
}

function handleText(high: number, low: number): string {
	let value = high * TWO_32 + low;
	const codes = new Array<number>(8);
	for (let i = 7; i >= 0; i--) {
		codes[i] = BASE64URL.charCodeAt(value % 64);
		value = Math.floor(value / 64);
	}
	return String.fromCharCode(...codes);
}

function hashOf(high: number, low: number): number {
	let hash = Math.imul(low ^ Math.imul(high, 0x27d4eb2d), 0x9e3779b1);
	hash ^= hash >>> 15;
	return Math.imul(hash, 0x85ebca6b) >>> 0;
}

/** Bytes of many nodes in chunks outside the V8 heap: 2 KiB, doubling up to 1 MiB (a one-node store takes little). */
class BytePool {
	private readonly chunks: Buffer[] = [];
	/** Bytes taken in each chunk before the last (the rest of a chunk is left when a value does not fit). */
	private readonly filled: number[] = [];
	private used = 0;

	/** Room for `length` bytes: the position (chunk × 2^20 + offset) of the space, not yet taken; -1 when full (4 GiB). */
	private room(length: number): number {
		let index = this.chunks.length - 1;
		if (index < 0 || this.used + length > this.chunks[index].length) {
			if (index >= MAX_CHUNKS - 1) return -1;
			const previous = index < 0 ? 1024 : this.chunks[index].length;
			if (index >= 0) this.filled.push(this.used);
			this.chunks.push(Buffer.allocUnsafeSlow(Math.max(length, Math.min(CHUNK_LIMIT, previous * 2))));
			this.used = 0;
			index++;
		}
		return index * CHUNK_LIMIT + this.used;
	}

	chunkAt(position: number): Buffer {
		return this.chunks[Math.floor(position / CHUNK_LIMIT)];
	}

	/** Stores the bytes `text` decodes to, or returns -1 when they would not read back as the same text. */
	storeBase64(text: string): number {
		const length = Math.floor((text.length * 3) / 4);
		if (length === 0 || length >= BYTES_LIMIT) return -1;
		const position = this.room(length);
		if (position < 0) return -1;
		const chunk = this.chunkAt(position);
		const offset = position % CHUNK_LIMIT;
		if (chunk.write(text, offset, 'base64url') !== length || chunk.toString('base64url', offset, offset + length) !== text) return -1;
		this.used += length;
		return position;
	}

	/** Stores the bytes of base64url text held as bytes, or returns -1 when the text is not canonical (see decodeBase64url). */
	storeBase64Bytes(source: Uint8Array, start: number, end: number): number {
		const length = Math.floor(((end - start) * 3) / 4);
		if (length === 0 || length >= BYTES_LIMIT) return -1;
		const position = this.room(length);
		if (position < 0) return -1;
		if (decodeBase64url(source, start, end, this.chunkAt(position), position % CHUNK_LIMIT) !== length) return -1;
		this.used += length;
		return position;
	}

	/** Stores bytes; -1 when the pool is full. */
	storeBytes(source: Uint8Array, start: number, length: number): number {
		const position = this.room(length);
		if (position < 0) return -1;
		const chunk = this.chunkAt(position);
		// A plain loop: keys are 16 or 32 bytes, where a subarray view per call costs more than the copy.
		for (let i = 0, at = position % CHUNK_LIMIT; i < length; i++) chunk[at + i] = source[start + i];
		this.used += length;
		return position;
	}

	/** Replaces every byte taken so far by `transform` of them, a chunk at a time (it must keep their length). */
	transformInPlace(transform: (bytes: Buffer) => Buffer): void {
		this.chunks.forEach((chunk, index) => {
			const taken = index < this.filled.length ? this.filled[index] : this.used;
			if (taken > 0) transform(chunk.subarray(0, taken)).copy(chunk, 0);
		});
	}

	view(position: number, length: number): Buffer {
		const offset = position % CHUNK_LIMIT;
		return this.chunkAt(position).subarray(offset, offset + length);
	}

	text(position: number, length: number): string {
		const offset = position % CHUNK_LIMIT;
		return this.chunkAt(position).toString('base64url', offset, offset + length);
	}
}

/** Bytes of one slot across all columns (see NodeStore.resize). */
const SLOT_BYTES = 8 + 8 + 4 * 5 + 4 + 4 + 4 + 2 + 2 + 1 + 1 + 1;
/** Column buffers up to this size come from the C allocator's heap (below its initial mmap threshold). */
const SMALL_BYTES = 128 * 1024;
/**
 * Slots in a column buffer larger than glibc's largest dynamic mmap threshold (32 MiB), taken while a load fills a
 * store: always mapped, and its free never raises the threshold, so the pools' chunks keep being mapped too instead
 * of landing in the heap between the reply's short-lived socket buffers (whose freed space the heap then cannot give
 * back). Its pages past the used slots are never touched, so they cost address space, not memory; fit() shrinks it
 * after the load.
 */
const MAPPED_SLOTS = Math.ceil((33 * 1024 * 1024) / SLOT_BYTES);

/** Entries of a handle index for `slots` slots: a power of two, at most half full. */
function indexSizeFor(slots: number): number {
	let size = 16;
	while (size < slots * 2) size *= 2;
	return size;
}

export class NodeStore {
	/** Slots handed out (nodes, phantoms and dead ones). */
	count = 0;
	/** Nodes present. */
	size = 0;
	private capacity: number;
	flags: Uint8Array;
	handleHigh: Uint16Array;
	handleLow: Uint32Array;
	type: Int8Array;
	nodeSize: Float64Array;
	timestamp: Float64Array;
	parent: Int32Array;
	firstChild: Int32Array;
	lastChild: Int32Array;
	nextSibling: Int32Array;
	previousSibling: Int32Array;
	private attrAt: Uint32Array;
	private attrLength: Uint16Array;
	private keyAt: Uint32Array;
	keyLength: Uint8Array;
	private table: Int32Array;
	/** Set for a store that a load fills (StagedNodes); fit() ends it. */
	loading = false;
	/** Append-only (bytes once written never change), so copies of a store may share it. */
	private pool = new BytePool();
	/**
	 * Node keys, apart from attributes so that the own keys of a load, staged there still wrapped, are unwrapped in
	 * place by one ECB pass per chunk (decryptStagedKeys). Append-only afterwards, shared by copies like `pool`.
	 */
	private keyPool = new BytePool();
	private oddSlots = new Map<string, number>();
	private oddHandles = new Map<number, string>();
	private attrTexts = new Map<number, string>();
	/** Wrapped key texts (`k`) still needed: keys not unwrapped yet, or changed by a later packet. */
	keyTexts = new Map<number, string>();
	private keyBuffers = new Map<number, Buffer>();
	fileAttributes = new Map<number, string>();
	/** Decrypted attributes (null: could not be decrypted); absent = not tried yet. */
	decrypted = new Map<number, Record<string, unknown> | null>();

	constructor(capacity = 1024) {
		this.capacity = capacity;
		this.flags = new Uint8Array(0);
		this.handleHigh = new Uint16Array(0);
		this.handleLow = new Uint32Array(0);
		this.type = new Int8Array(0);
		this.nodeSize = new Float64Array(0);
		this.timestamp = new Float64Array(0);
		this.parent = new Int32Array(0);
		this.firstChild = new Int32Array(0);
		this.lastChild = new Int32Array(0);
		this.nextSibling = new Int32Array(0);
		this.previousSibling = new Int32Array(0);
		this.attrAt = new Uint32Array(0);
		this.attrLength = new Uint16Array(0);
		this.keyAt = new Uint32Array(0);
		this.keyLength = new Uint8Array(0);
		this.resize(capacity);
		this.table = new Int32Array(indexSizeFor(capacity)).fill(-1);
	}

	/**
	 * Puts the columns in one new buffer of `capacity` slots: the first `count` slots copied from `from` (this store, or
	 * the one being cloned), the rest empty. One buffer rather than fifteen arrays: each resize is one large allocation,
	 * which the C allocator maps and unmaps whole, instead of fifteen that leave holes in its heap for the tree to live
	 * between.
	 */
	private resize(capacity: number, from: NodeStore = this): void {
		const buffer = new ArrayBuffer(capacity * SLOT_BYTES);
		let offset = 0;
		// Widest first, so every column starts aligned for its element size.
		const take = <T>(make: new (buffer: ArrayBuffer, offset: number, length: number) => T, size: number): T => {
			const column = new make(buffer, offset, capacity);
			offset += size * capacity;
			return column;
		};
		const count = from.count;
		const nodeSize = take(Float64Array, 8);
		const timestamp = take(Float64Array, 8);
		const parent = take(Int32Array, 4);
		const firstChild = take(Int32Array, 4);
		const lastChild = take(Int32Array, 4);
		const nextSibling = take(Int32Array, 4);
		const previousSibling = take(Int32Array, 4);
		const handleLow = take(Uint32Array, 4);
		const attrAt = take(Uint32Array, 4);
		const keyAt = take(Uint32Array, 4);
		const handleHigh = take(Uint16Array, 2);
		const attrLength = take(Uint16Array, 2);
		const flags = take(Uint8Array, 1);
		const type = take(Int8Array, 1);
		const keyLength = take(Uint8Array, 1);
		nodeSize.set(from.nodeSize.subarray(0, count));
		timestamp.set(from.timestamp.subarray(0, count));
		// Slots past `count` are left zero (their pages untouched): newSlot sets each as it hands it out.
		parent.set(from.parent.subarray(0, count));
		firstChild.set(from.firstChild.subarray(0, count));
		lastChild.set(from.lastChild.subarray(0, count));
		nextSibling.set(from.nextSibling.subarray(0, count));
		previousSibling.set(from.previousSibling.subarray(0, count));
		handleLow.set(from.handleLow.subarray(0, count));
		attrAt.set(from.attrAt.subarray(0, count));
		keyAt.set(from.keyAt.subarray(0, count));
		handleHigh.set(from.handleHigh.subarray(0, count));
		attrLength.set(from.attrLength.subarray(0, count));
		flags.set(from.flags.subarray(0, count));
		type.set(from.type.subarray(0, count));
		keyLength.set(from.keyLength.subarray(0, count));
		Object.assign(this, { capacity, nodeSize, timestamp, parent, firstChild, lastChild, nextSibling, previousSibling, handleLow, attrAt, keyAt, handleHigh, attrLength, flags, type, keyLength });
	}

	/** Ends a load: gives back the room of the slots not handed out. */
	fit(): void {
		this.loading = false;
		if (this.capacity - this.count >= 1024) this.resize(Math.max(this.count, 1024));
	}

	/** An independent copy (columns and side maps copied; the append-only byte pool shared). */
	clone(): NodeStore {
		const copy = new NodeStore(0);
		copy.count = this.count;
		copy.size = this.size;
		copy.resize(this.capacity, this);
		copy.table = this.table.slice();
		copy.pool = this.pool;
		copy.keyPool = this.keyPool;
		copy.oddSlots = new Map(this.oddSlots);
		copy.oddHandles = new Map(this.oddHandles);
		copy.attrTexts = new Map(this.attrTexts);
		copy.keyTexts = new Map(this.keyTexts);
		copy.keyBuffers = new Map(this.keyBuffers);
		copy.fileAttributes = new Map(this.fileAttributes);
		copy.decrypted = new Map(this.decrypted);
		return copy;
	}

	exists(slot: number): boolean {
		return slot >= 0 && (this.flags[slot] & EXISTS) !== 0;
	}

	handleOf(slot: number): string {
		if (this.flags[slot] & ODD_HANDLE) return this.oddHandles.get(slot) as string;
		return handleText(this.handleHigh[slot], this.handleLow[slot]);
	}

	/** The slot of a handle (a node or a phantom parent), or -1. */
	slotOf(handle: string): number {
		const value = handleNumber(handle);
		if (value < 0) return this.oddSlots.get(handle) ?? -1;
		const high = Math.floor(value / TWO_32);
		const low = value >>> 0;
		const mask = this.table.length - 1;
		for (let i = hashOf(high, low) & mask; ; i = (i + 1) & mask) {
			const slot = this.table[i];
			if (slot < 0) return -1;
			if (this.handleLow[slot] === low && this.handleHigh[slot] === high) return slot;
		}
	}

	/** The slot of a present node, or -1. */
	find(handle: string): number {
		const slot = this.slotOf(handle);
		return slot >= 0 && this.flags[slot] & EXISTS ? slot : -1;
	}

	/** The slot of a handle, made (as a phantom) when it has none. */
	slotFor(handle: string): number {
		const value = handleNumber(handle);
		if (value >= 0) return this.slotForNumber(value);
		const existing = this.oddSlots.get(handle);
		if (existing !== undefined) return existing;
		const slot = this.newSlot();
		this.flags[slot] = ODD_HANDLE;
		this.oddSlots.set(handle, slot);
		this.oddHandles.set(slot, handle);
		return slot;
	}

	/** The slot of a handle given as its 48-bit number (see handleNumber), made (as a phantom) when it has none. */
	slotForNumber(value: number): number {
		// Room first, so that the free place the search ends on is where the new slot goes.
		this.makeRoom();
		const high = Math.floor(value / TWO_32);
		const low = value >>> 0;
		const table = this.table;
		const mask = table.length - 1;
		let i = hashOf(high, low) & mask;
		for (; ; i = (i + 1) & mask) {
			const found = table[i];
			if (found < 0) break;
			if (this.handleLow[found] === low && this.handleHigh[found] === high) return found;
		}
		const slot = this.takeSlot();
		this.handleHigh[slot] = high;
		this.handleLow[slot] = low;
		table[i] = slot;
		return slot;
	}

	private newSlot(): number {
		this.makeRoom();
		return this.takeSlot();
	}

	/** The next slot (room made already), with no links and no attributes (the columns past `count` are zero, not -1). */
	private takeSlot(): number {
		const slot = this.count++;
		this.parent[slot] = -1;
		this.firstChild[slot] = -1;
		this.lastChild[slot] = -1;
		this.nextSibling[slot] = -1;
		this.previousSibling[slot] = -1;
		this.attrAt[slot] = ATTR_NONE;
		return slot;
	}

	private addToTable(slot: number): void {
		const mask = this.table.length - 1;
		let i = hashOf(this.handleHigh[slot], this.handleLow[slot]) & mask;
		while (this.table[i] >= 0) i = (i + 1) & mask;
		this.table[i] = slot;
	}

	/** Takes a slot out of the handle index (linear probing: later entries of its run shift back). */
	private forget(slot: number): void {
		if (this.flags[slot] & ODD_HANDLE) {
			const handle = this.oddHandles.get(slot) as string;
			this.oddHandles.delete(slot);
			this.oddSlots.delete(handle);
			return;
		}
		const table = this.table;
		const mask = table.length - 1;
		let hole = hashOf(this.handleHigh[slot], this.handleLow[slot]) & mask;
		while (table[hole] !== slot) {
			if (table[hole] < 0) return;
			hole = (hole + 1) & mask;
		}
		for (let next = (hole + 1) & mask; table[next] >= 0; next = (next + 1) & mask) {
			const home = hashOf(this.handleHigh[table[next]], this.handleLow[table[next]]) & mask;
			// Move the entry into the hole unless its home lies cyclically in (hole, next].
			const stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
			if (!stays) {
				table[hole] = table[next];
				hole = next;
			}
		}
		table[hole] = -1;
	}

	/** Room for one more slot: the columns grown when full, the handle index when it would pass half full. */
	private makeRoom(): void {
		if (this.count === this.capacity) {
			const doubled = this.capacity * 2;
			// While loading, past the small sizes: straight to a buffer the C allocator always maps (see MAPPED_SLOTS).
			this.resize(this.loading && doubled * SLOT_BYTES > SMALL_BYTES ? Math.max(doubled, MAPPED_SLOTS) : doubled);
		}
		if ((this.count + 1) * 2 > this.table.length) this.rebuildTable(this.count + 1);
	}

	/** A new handle index for `slots` slots (at most half full), holding every slot that has a handle. */
	private rebuildTable(slots: number): void {
		this.table = new Int32Array(indexSizeFor(slots)).fill(-1);
		for (let slot = 0; slot < this.count; slot++) {
			if (!(this.flags[slot] & (ODD_HANDLE | DEAD))) this.addToTable(slot);
		}
	}

	/**
	 * Puts a node (new, or replacing what its slot held) under its parent. `keyText`: the wrapped key text to keep
	 * ('' when the caller has taken the key already).
	 */
	put(raw: RawNode, keyText: string): number {
		const slot = this.slotFor(raw.h);
		this.putNumbers(slot, raw.t, raw.s ?? 0, raw.ts ?? 0);
		this.setAttributeText(slot, raw.a ?? '');
		if (keyText !== '') this.keyTexts.set(slot, keyText);
		if (raw.fa !== undefined) this.fileAttributes.set(slot, raw.fa);
		this.setParent(slot, raw.p ? raw.p : null);
		return slot;
	}

	/**
	 * Makes `slot` a present node of this type, size and time, with no attributes, key or parent yet (what it held
	 * before is dropped). The caller sets those next.
	 */
	putNumbers(slot: number, type: number, size: number, timestamp: number): void {
		if (this.flags[slot] & EXISTS) this.clearData(slot);
		else this.size++;
		this.flags[slot] |= EXISTS;
		this.type[slot] = type;
		this.nodeSize[slot] = size;
		this.timestamp[slot] = timestamp;
	}

	/** Moves a node under the parent (or phantom) in `parent` (see setParent). */
	setParentSlot(slot: number, parent: number): void {
		this.link(slot, parent);
	}

	private clearData(slot: number): void {
		this.attrTexts.delete(slot);
		this.attrAt[slot] = ATTR_NONE;
		this.keyTexts.delete(slot);
		this.keyBuffers.delete(slot);
		this.keyLength[slot] = KEY_UNKNOWN;
		this.fileAttributes.delete(slot);
		this.decrypted.delete(slot);
	}

	/** The parent's handle, or null. */
	parentHandle(slot: number): string | null {
		const parent = this.parent[slot];
		return parent < 0 ? null : this.handleOf(parent);
	}

	/** Moves a node under `handle` (the last of its children), or detaches it (null). */
	setParent(slot: number, handle: string | null): void {
		this.unlink(slot);
		if (handle !== null) this.link(slot, this.slotFor(handle));
	}

	private link(slot: number, parent: number): void {
		this.unlink(slot);
		this.parent[slot] = parent;
		const last = this.lastChild[parent];
		this.previousSibling[slot] = last;
		this.nextSibling[slot] = -1;
		if (last < 0) this.firstChild[parent] = slot;
		else this.nextSibling[last] = slot;
		this.lastChild[parent] = slot;
	}

	private unlink(slot: number): void {
		const parent = this.parent[slot];
		if (parent < 0) return;
		const previous = this.previousSibling[slot];
		const next = this.nextSibling[slot];
		if (previous < 0) this.firstChild[parent] = next;
		else this.nextSibling[previous] = next;
		if (next < 0) this.lastChild[parent] = previous;
		else this.previousSibling[next] = previous;
		this.parent[slot] = -1;
		this.previousSibling[slot] = -1;
		this.nextSibling[slot] = -1;
	}

	/** Removes one node (its children must be gone already, or they stay under a phantom). */
	remove(slot: number): void {
		if (!(this.flags[slot] & EXISTS)) return;
		this.unlink(slot);
		this.clearData(slot);
		this.flags[slot] &= ~EXISTS;
		this.size--;
		if (this.firstChild[slot] < 0) {
			this.forget(slot);
			this.flags[slot] |= DEAD;
		}
	}

	attributeText(slot: number): string {
		const at = this.attrAt[slot];
		if (at === ATTR_NONE) return '';
		if (at === ATTR_SIDE) return this.attrTexts.get(slot) ?? '';
		return this.pool.text(at, this.attrLength[slot]);
	}

	/** Sets `a` from its text held as ASCII bytes (see setAttributeText). */
	setAttributeBytes(slot: number, source: Buffer, start: number, end: number): void {
		this.attrTexts.delete(slot);
		if (end === start) {
			this.attrAt[slot] = ATTR_NONE;
			return;
		}
		const position = end - start < 16 ? -1 : this.pool.storeBase64Bytes(source, start, end);
		if (position < 0) {
			this.attrAt[slot] = ATTR_SIDE;
			this.attrTexts.set(slot, source.toString('latin1', start, end));
		} else {
			this.attrAt[slot] = position;
			this.attrLength[slot] = Math.floor(((end - start) * 3) / 4);
		}
	}

	/** Stores `a` as its decoded bytes when they read back as the identical text, else as the text. */
	setAttributeText(slot: number, text: string): void {
		this.attrTexts.delete(slot);
		if (text === '') {
			this.attrAt[slot] = ATTR_NONE;
			return;
		}
		const position = text.length < 16 ? -1 : this.pool.storeBase64(text);
		if (position < 0) {
			this.attrAt[slot] = ATTR_SIDE;
			this.attrTexts.set(slot, text);
		} else {
			this.attrAt[slot] = position;
			this.attrLength[slot] = Math.floor((text.length * 3) / 4);
		}
	}

	/** undefined = not unwrapped yet, null = no key we can use. */
	key(slot: number): Buffer | null | undefined {
		const length = this.keyLength[slot];
		if (length === KEY_UNKNOWN) return undefined;
		if (length === KEY_NONE) return null;
		if (length === KEY_SIDE) return this.keyBuffers.get(slot);
		return this.keyPool.view(this.keyAt[slot], length);
	}

	setKey(slot: number, key: Buffer | null | undefined): void {
		this.keyBuffers.delete(slot);
		if (key === undefined) this.keyLength[slot] = KEY_UNKNOWN;
		else if (key === null) this.keyLength[slot] = KEY_NONE;
		else if (key.length === 16 || key.length === 32) this.setKeyBytes(slot, key, 0, key.length);
		else {
			this.keyLength[slot] = KEY_SIDE;
			this.keyBuffers.set(slot, Buffer.from(key));
		}
	}

	/** Copies `length` (16 or 32) bytes of `source` at `start` into the pool as the node's key. */
	setKeyBytes(slot: number, source: Uint8Array, start: number, length: number): void {
		const position = this.keyPool.storeBytes(source, start, length);
		if (position < 0) {
			this.keyLength[slot] = KEY_SIDE;
			this.keyBuffers.set(slot, Buffer.from(source.subarray(start, start + length)));
			return;
		}
		this.keyBuffers.delete(slot);
		this.keyAt[slot] = position;
		this.keyLength[slot] = length;
	}

	/**
	 * A load's own node key, still wrapped under the master key: its base64url text (held as bytes, or given as text)
	 * decoded into the key pool. Returns false (nothing kept) when the text is not canonical base64url of `length`
	 * bytes. The key reads as garbage until decryptStagedKeys, which the loader calls before the store is used.
	 */
	stageWrappedKey(slot: number, source: Uint8Array | string, start: number, end: number, length: number): boolean {
		const position =
			typeof source === 'string' ? this.keyPool.storeBase64(source.slice(start, end)) : this.keyPool.storeBase64Bytes(source, start, end);
		if (position < 0) return false;
		this.keyBuffers.delete(slot);
		this.keyAt[slot] = position;
		this.keyLength[slot] = length;
		return true;
	}

	/** Unwraps every key staged by stageWrappedKey (AES-ECB, so a chunk at a time; `decrypt` keeps the length). */
	decryptStagedKeys(decrypt: (wrapped: Buffer) => Buffer): void {
		this.keyPool.transformInPlace(decrypt);
	}

	/** The slots of a node's children, in order. */
	*childSlots(slot: number): IterableIterator<number> {
		for (let child = this.firstChild[slot]; child >= 0; child = this.nextSibling[child]) yield child;
	}
}
