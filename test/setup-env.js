// Runs before each test file: n8n-core must never touch the real ~/.n8n.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

if (!process.env.N8N_USER_FOLDER || !process.env.N8N_USER_FOLDER.includes('n8n-tilled-test-')) {
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-tilled-test-'));
}
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
process.env.N8N_ENCRYPTION_KEY = process.env.N8N_ENCRYPTION_KEY || 'n8n-nodes-tilled-test-key';
