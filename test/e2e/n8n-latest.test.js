'use strict';

// End-to-end: the packed package inside n8n latest (2.x, Node 24). See suite.js.
const { defineSuite } = require('./suite');

jest.setTimeout(5 * 60_000);

describe('n8n latest', () => {
	defineSuite('latest');
});
