import { metadataFromPairs } from '../../nodes/Tilled/shared/metadata';

const pairs = (...entries: Array<[unknown, unknown]>) => ({ pair: entries.map(([key, value]) => ({ key, value })) });

test('pairs become an object of strings', () => {
	expect(metadataFromPairs(pairs(['order_id', '100'], ['n', 5]), 'Metadata')).toEqual({ order_id: '100', n: '5' });
	expect(metadataFromPairs(pairs(['empty', '']), 'Metadata')).toEqual({ empty: '' });
});

test('no pairs is no metadata', () => {
	expect(metadataFromPairs(undefined, 'Metadata')).toBeUndefined();
	expect(metadataFromPairs({}, 'Metadata')).toBeUndefined();
});

test('limits name the pair', () => {
	expect(() => metadataFromPairs(pairs(['', 'x']), 'Metadata')).toThrow('Metadata › pair 1 › Key is required and empty');
	expect(() => metadataFromPairs(pairs(['k'.repeat(41), 'x']), 'Metadata')).toThrow(
		'Metadata › pair 1 › Key may have at most 40 characters, has 41',
	);
	expect(() => metadataFromPairs(pairs(['a', 'x'], ['b', 'v'.repeat(501)]), 'Metadata')).toThrow(
		'Metadata › pair 2 › Value may have at most 500 characters, has 501',
	);
	expect(() => metadataFromPairs(pairs(['a', '1'], ['a', '2']), 'Metadata')).toThrow('Metadata › pair 2 › Key "a" is given twice');
});

test('at most 50 keys, fewer when the node reserves some', () => {
	const fifty = pairs(...Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'] as [string, string]));
	expect(Object.keys(metadataFromPairs(fifty, 'Metadata')!)).toHaveLength(50);
	expect(() => metadataFromPairs(fifty, 'Metadata', 1)).toThrow(
		'Metadata may have at most 49 keys (Tilled allows 50; the node uses 1), has 50',
	);
	const fiftyOne = pairs(...Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'] as [string, string]));
	expect(() => metadataFromPairs(fiftyOne, 'Metadata')).toThrow('Metadata may have at most 50 keys, has 51');
});

test('keys that name Object.prototype members are kept as data', () => {
	const metadata = metadataFromPairs(pairs(['__proto__', 'a'], ['constructor', 'b']), 'Metadata')!;
	expect(Object.keys(metadata)).toEqual(['__proto__', 'constructor']);
	expect(JSON.parse(JSON.stringify(metadata))).toEqual(JSON.parse('{"__proto__":"a","constructor":"b"}'));
	expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
});
