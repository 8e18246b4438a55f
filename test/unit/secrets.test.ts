// The leak finder behind `npm run test:faults` must find what it is for.
const { findLeaks } = require('../harness/secrets');

const key = 'sk_test_6fQb3sX9LkP2mN8vR4tY';

test.each([
	['whole', `error: ${key}`],
	['URL-encoded', `url?key=${encodeURIComponent('sk test/6fQb3sX9+LkP2mN8vR4tY')}`],
	['base64', `auth ${Buffer.from(key).toString('base64')}`],
	['partial', `…${key.slice(5, 17)}…`],
])('finds a %s key', (_kind, text) => {
	const secret = _kind === 'URL-encoded' ? 'sk test/6fQb3sX9+LkP2mN8vR4tY' : key;
	expect(findLeaks([secret], [{ source: 'run', text }])).toHaveLength(1);
});

test('finds nothing in clean text, and never repeats the key in its report', () => {
	expect(findLeaks([key], [{ source: 'run', text: 'Tilled could not get the checkout session [HTTP 401]' }])).toEqual([]);
	const [line] = findLeaks([key], [{ source: 'run', text: key }]);
	expect(line).not.toContain(key.slice(0, 10));
});
