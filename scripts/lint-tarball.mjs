// The tarball leg of n8n's community-package scanner, offline: lints the unpacked `npm pack`
// output (its .js files and package.json) with the rules the scanner applies there.
//   node scripts/lint-tarball.mjs <unpacked package folder>
// Prints one JSON line: {"files": N, "problems": ["file:line rule message", ...]}; exit 1 on problems.
import path from 'node:path';
import { ESLint } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import communityNodes from '@n8n/eslint-plugin-community-nodes';

const dir = path.resolve(process.argv[2] ?? '.');
const eslint = new ESLint({
	cwd: dir,
	allowInlineConfig: false,
	overrideConfigFile: true,
	overrideConfig: [
		communityNodes.configs.recommended,
		{ rules: { 'no-console': 'error' } },
		{ files: ['**/*.json'], languageOptions: { parser: tsParser } },
	],
});
const results = await eslint.lintFiles(['**/*.js', 'package.json']);
const problems = results.flatMap((result) =>
	result.messages.map((m) => `${path.relative(dir, result.filePath)}:${m.line} ${m.ruleId} ${m.message}`),
);
process.stdout.write(JSON.stringify({ files: results.length, problems }) + '\n');
process.exitCode = problems.length ? 1 : 0;
