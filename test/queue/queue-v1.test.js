'use strict';

// Queue mode in n8n v1 (1.123, Node 20; the package installed by hand per process). See suite.js.
const { defineQueueSuite } = require('./suite');

jest.setTimeout(5 * 60_000);

describe('n8n v1 in queue mode', () => {
	defineQueueSuite('v1');
});
