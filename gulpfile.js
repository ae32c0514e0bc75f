// Copies what tsc does not: node/credential icons and the *.node.json codex files, keeping their paths under dist/.
const { src, dest } = require('gulp');

function buildAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:assets'] = buildAssets;
