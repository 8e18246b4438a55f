'use strict';

// End-to-end: the Tilled Trigger in n8n 1.x (Node 20). See trigger-suite.js.
const { defineTriggerSuite } = require('./trigger-suite');

jest.setTimeout(5 * 60_000);

describe('Tilled Trigger in n8n v1', () => {
	defineTriggerSuite('v1');
});
