export { megaApiTest, searchMegaFiles, searchMegaFolders } from '../../shared';
export { searchMegaRubbishBin } from './listSearch';
