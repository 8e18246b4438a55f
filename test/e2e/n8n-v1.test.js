'use strict';

// End-to-end: the packed package inside n8n v1 (1.123, Node 20, legacy expression engine). See suite.js.
const { defineSuite } = require('./suite');

jest.setTimeout(5 * 60_000);

describe('n8n v1', () => {
	defineSuite('v1');
});
