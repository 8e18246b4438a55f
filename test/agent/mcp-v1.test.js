'use strict';

// The node as an MCP tool in n8n v1 (1.123, Node 20, legacy expression engine). See suite.js.
const { defineAgentSuite } = require('./suite');

jest.setTimeout(3 * 60_000);

describe('n8n v1: Tilled tools through the MCP Server Trigger', () => {
	defineAgentSuite('v1');
});
