'use strict';

// End-to-end: the Tilled Trigger in n8n latest (2.x, Node 24). See trigger-suite.js.
const { defineTriggerSuite } = require('./trigger-suite');

jest.setTimeout(5 * 60_000);

describe('Tilled Trigger in n8n latest', () => {
	defineTriggerSuite('latest');
});
