// One project per kind of test, so `npm run test:unit` and friends can pick theirs.
const common = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: { warnOnly: false } }] },
	moduleFileExtensions: ['ts', 'js', 'json'],
	// n8n-core writes its instance settings under N8N_USER_FOLDER when it loads.
	setupFiles: ['<rootDir>/test/setup-env.js'],
	// npm start's n8n user folder and packed copies are not the project's modules.
	modulePathIgnorePatterns: ['<rootDir>/.n8n-local', '<rootDir>/.test-tmp', '<rootDir>/dist'],
};

module.exports = {
	projects: [
		{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{
			...common,
			displayName: 'integration',
			testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/fake-tilled*.test.js'],
		},
		{ ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.test.ts'] },
		{ ...common, displayName: 'start', testMatch: ['<rootDir>/test/start/**/*.test.js'] },
		{ ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.{ts,js}'] },
		{ ...common, displayName: 'queue', testMatch: ['<rootDir>/test/queue/**/*.test.js'] },
		{ ...common, displayName: 'agent', testMatch: ['<rootDir>/test/agent/**/*.test.js'] },
		{ ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.{ts,js}'] },
	],
};
