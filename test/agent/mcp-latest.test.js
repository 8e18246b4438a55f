'use strict';

// The node as an MCP tool in n8n latest (2.x, Node 24). See suite.js.
const { defineAgentSuite } = require('./suite');

jest.setTimeout(3 * 60_000);

describe('n8n latest: Tilled tools through the MCP Server Trigger', () => {
	defineAgentSuite('latest');
});
