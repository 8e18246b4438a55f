'use strict';

// One fresh process of the require-time measurement: preloads the n8n-workflow copy the modules
// will use (n8n has it loaded long before any node), then times requiring the given modules.
// Prints one JSON line: { preloadMs, requireMs }.
//   node bench/require-child.js <module.js> [<module.js> …]

const path = require('node:path');

const modules = process.argv.slice(2).map((file) => path.resolve(file));
const t0 = process.hrtime.bigint();
require(require.resolve('n8n-workflow', { paths: [path.dirname(modules[0])] }));
const t1 = process.hrtime.bigint();
for (const file of modules) require(file);
const t2 = process.hrtime.bigint();
process.stdout.write(`${JSON.stringify({ preloadMs: Number(t1 - t0) / 1e6, requireMs: Number(t2 - t1) / 1e6 })}\n`);
