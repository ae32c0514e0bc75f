export { searchBuckets } from './listSearch';
export { megaS4ApiTest } from './credentialTest';
