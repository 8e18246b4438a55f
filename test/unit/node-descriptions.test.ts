// What the node panel shows of both action nodes: subtitles that read well for every operation,
// n8n's own "Add option", and every field shown for its operation alone.
import { Tilled } from '../../nodes/Tilled/Tilled.node';
import { TilledCheckoutSessions } from '../../nodes/Tilled/TilledCheckoutSessions.node';

/** The subtitle expression's lookup table, as n8n evaluates it for the chosen operation. */
function subtitleFor(subtitle: unknown, key: string): string {
	const table = JSON.parse(/^=\{\{ (\{.*\})\[/.exec(String(subtitle))![1]) as Record<string, string>;
	return table[key];
}

test('Tilled Checkout Sessions subtitle reads as an action for every operation', () => {
	const { subtitle } = new TilledCheckoutSessions().description;
	expect(['create', 'expire', 'get', 'getAll'].map((op) => subtitleFor(subtitle, op))).toEqual([
		'Create a checkout session',
		'Expire a checkout session',
		'Get a checkout session',
		'Get many checkout sessions',
	]);
});

test('both nodes write "Add option" as n8n does, and show each field for one operation', () => {
	for (const node of [new Tilled(), new TilledCheckoutSessions()]) {
		const properties = node.description.properties;
		for (const options of properties.filter((p) => p.name === 'options')) expect(options.placeholder).toBe('Add option');
		for (const property of properties.filter((p) => p.name !== 'operation' && p.name !== 'resource')) {
			expect([property.name, property.displayOptions?.show?.operation?.length]).toEqual([property.name, 1]);
		}
	}
});

test('an unknown operation is an error of item 0', async () => {
	const context = {
		getNodeParameter: () => 'nope',
		getNode: () => ({ name: 'Tilled', type: 't', typeVersion: 1, position: [0, 0], parameters: {} }),
	};
	const error = await new TilledCheckoutSessions().execute.call(context as never).catch((e: { context?: { itemIndex?: number } }) => e);
	expect(error).toMatchObject({ message: 'Unknown operation "nope"', context: { itemIndex: 0 } });
});
