/**
 * A reply's JSON text in pieces, so that a large reply (an `f` of hundreds of thousands of nodes) can be written while
 * it is serialized instead of after one `JSON.stringify` of the whole. The pieces joined are exactly the text
 * `JSON.stringify` gives for the same value with every `JsonList` replaced by its items' JSON.
 */

/** How many items a `JsonList` serializes per piece: a few hundred KiB of `f` nodes. */
export const LIST_ITEMS_PER_PIECE = 2_000;

/** A list whose items are serialized only when the reply is written, a piece at a time. */
export class JsonList<T> {
	constructor(
		/** Read once, when the reply is written (it may be a walk that runs as it is read). */
		readonly items: Iterable<T>,
		/** One item's JSON text (what `JSON.stringify` writes for it; the store keeps each node's). */
		readonly itemText: (item: T) => string,
	) {}

	*pieces(itemsPerPiece = LIST_ITEMS_PER_PIECE): Generator<string> {
		let batch: string[] = [];
		let first = true;
		for (const item of this.items) {
			batch.push(this.itemText(item));
			if (batch.length < itemsPerPiece) continue;
			yield `${first ? '[' : ','}${batch.join(',')}`;
			first = false;
			batch = [];
		}
		if (batch.length > 0) yield `${first ? '[' : ','}${batch.join(',')}]`;
		else yield first ? '[]' : ']';
	}

	/** For a plain `JSON.stringify` of a value holding the list (not the sandbox's own reply path). */
	toJSON(): unknown[] {
		return Array.from(this.items, (item) => JSON.parse(this.itemText(item)) as unknown);
	}
}

function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
	if (Array.isArray(value)) return true;
	if (value === null || typeof value !== 'object') return false;
	const proto = Object.getPrototypeOf(value) as unknown;
	return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** Whether a `JsonList` sits within `depth` levels of plain arrays and objects (a batch → a result → its lists). */
function holdsList(value: unknown, depth: number): boolean {
	if (value instanceof JsonList) return true;
	if (depth === 0 || !isPlainContainer(value)) return false;
	const children = Array.isArray(value) ? value : Object.values(value);
	return children.some((child) => holdsList(child, depth - 1));
}

const LIST_DEPTH = 3;

/** Whether `jsonPieces(value)` would split the text (it holds a `JsonList`). */
export function holdsJsonList(value: unknown): boolean {
	return holdsList(value, LIST_DEPTH);
}

/** The JSON text of `value` in pieces; parts without a `JsonList` come whole from `JSON.stringify`. */
export function* jsonPieces(value: unknown, depth = LIST_DEPTH): Generator<string> {
	if (value instanceof JsonList) {
		yield* value.pieces();
		return;
	}
	if (!holdsList(value, depth)) {
		yield JSON.stringify(value) ?? 'null';
		return;
	}
	if (Array.isArray(value)) {
		yield '[';
		for (let index = 0; index < value.length; index++) {
			if (index > 0) yield ',';
			// As in `JSON.stringify`: an item with no JSON form is `null` in an array.
			yield* jsonPieces(value[index], depth - 1);
		}
		yield ']';
		return;
	}
	yield '{';
	let first = true;
	for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
		const comma = first ? '' : ',';
		if (holdsList(item, depth - 1)) {
			yield `${comma}${JSON.stringify(key)}:`;
			yield* jsonPieces(item, depth - 1);
		} else {
			const text = JSON.stringify(item);
			// As in `JSON.stringify`: a property with no JSON form (undefined, a function) is left out.
			if (text === undefined) continue;
			yield `${comma}${JSON.stringify(key)}:${text}`;
		}
		first = false;
	}
	yield '}';
}
