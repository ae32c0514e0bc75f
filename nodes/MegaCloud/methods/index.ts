export { megaApiTest, searchMegaFiles, searchMegaFolders } from '../../shared';
