import { megaLocator } from '../../../shared';

/** An item in the Rubbish Bin: the list shows only what is in it; paths look like //bin/name. */
export const rubbishItemLocator = megaLocator({
	name: 'item',
	displayName: 'Item',
	kind: 'any',
	searchListMethod: 'searchMegaRubbishBin',
	description: 'A file or folder in the Rubbish Bin (path //bin/…, or its handle)',
});
