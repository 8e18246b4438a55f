// Copies the icons and the codex (X.node.json) next to the compiled files in dist/.
const { src, dest, parallel } = require('gulp');

function copyNodeAssets() {
	// encoding: false keeps binary icons intact (gulp 5 reads files as text by default).
	return src('nodes/**/*.{svg,png,json}', { encoding: false }).pipe(dest('dist/nodes'));
}

function copyCredentialAssets() {
	return src('credentials/**/*.{svg,png}', { encoding: false }).pipe(dest('dist/credentials'));
}

// index.js is the package's main entry; files: ["dist"] publishes only dist/, so it goes there too.
function copyIndex() {
	return src('index.js').pipe(dest('dist'));
}

exports['build:icons'] = parallel(copyNodeAssets, copyCredentialAssets, copyIndex);
