'use strict';

// Queue mode in n8n latest (2.x, Node 24; the package declared in N8N_COMMUNITY_PACKAGES). See suite.js.
const { defineQueueSuite } = require('./suite');

jest.setTimeout(5 * 60_000);

describe('n8n latest in queue mode', () => {
	defineQueueSuite('latest');
});
