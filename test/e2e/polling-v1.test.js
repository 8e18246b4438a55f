'use strict';

// End-to-end: the Tilled Polling Trigger in n8n 1.x (Node 20). See polling-suite.js.
const { definePollingSuite } = require('./polling-suite');

jest.setTimeout(5 * 60_000);

describe('Tilled Polling Trigger in n8n v1', () => {
	definePollingSuite('v1');
});
