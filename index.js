// n8n loads this package through the "n8n" section of package.json; this file only gives
// `require('n8n-nodes-tilled')` something sensible to return.
module.exports = {
	nodes: [
		'dist/nodes/Tilled/TilledCheckoutSessions.node.js',
		'dist/nodes/Tilled/TilledTrigger.node.js',
		'dist/nodes/Tilled/TilledPollingTrigger.node.js',
	],
	credentials: ['dist/credentials/TilledApi.credentials.js'],
};
