/** MEGA S4 regions and endpoints (help.mega.io "MEGA S4 endpoint URLs"; s4.md §1.1). */
import { S4InputError } from './errors';

export interface S4Region {
	region: string;
	location: string;
	endpoint: string;
}

export const S4_REGIONS: readonly S4Region[] = [
	{ region: 'eu-central-1', location: 'Amsterdam', endpoint: 'https://s3.eu-central-1.s4.mega.io' },
	{ region: 'eu-central-2', location: 'Luxembourg', endpoint: 'https://s3.eu-central-2.s4.mega.io' },
	{ region: 'ca-central-1', location: 'Montreal', endpoint: 'https://s3.ca-central-1.s4.mega.io' },
	{ region: 'ca-west-1', location: 'Vancouver', endpoint: 'https://s3.ca-west-1.s4.mega.io' },
];

export const DEFAULT_S4_REGION = 'eu-central-1';

/** `https://s3.<region>.s4.mega.io`; unknown regions follow the same pattern so new MEGA regions work without a release. */
export function endpointForRegion(region: string): string {
	const known = S4_REGIONS.find((r) => r.region === region);
	if (known) return known.endpoint;
	if (!/^[a-z]{2}-[a-z]+-\d+$/.test(region)) {
		throw new S4InputError(`"${region}" is not an S4 region name`, 'region-name', 'Use one of eu-central-1, eu-central-2, ca-central-1, ca-west-1, or set a custom endpoint.');
	}
	return `https://s3.${region}.s4.mega.io`;
}
