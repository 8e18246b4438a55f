'use strict';

// End-to-end: the Tilled Polling Trigger in n8n latest (2.x, Node 24). See polling-suite.js.
const { definePollingSuite } = require('./polling-suite');

jest.setTimeout(5 * 60_000);

describe('Tilled Polling Trigger in n8n latest', () => {
	definePollingSuite('latest');
});
