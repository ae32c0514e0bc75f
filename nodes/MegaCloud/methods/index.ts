export { megaApiTest } from '../../shared';
