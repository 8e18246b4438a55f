// The node's event types are Tilled's (the schema data the fake checks endpoints against), each
// with a name and a description that shows the raw id.
import { EVENT_TYPES } from '../../nodes/Tilled/trigger/eventTypes';
import { triggerProperties } from '../../nodes/Tilled/trigger/events';
import schemaData from '../fake-tilled/event-types.json';
import webhookSchema from '../fake-tilled/webhooks.schema.json';

test("the node's event types are the 46 of the schema data, each named and described with its id", () => {
	expect(EVENT_TYPES.map((type) => type.value).sort()).toEqual([...schemaData.event_types].sort());
	expect(EVENT_TYPES).toHaveLength(46);
	expect(new Set(EVENT_TYPES.map((type) => type.name)).size).toBe(46);
	for (const type of EVENT_TYPES) expect(type.description).toContain(`(${type.value})`);
	expect(EVENT_TYPES.find((type) => type.value === 'payment_intent.succeeded')!.name).toBe('Checkout Session Paid');
});

test("the fake's event type enums are the same 46 (plus * for an endpoint's enabled events)", () => {
	const defs = webhookSchema.$defs as Record<string, { enum?: string[] }>;
	expect([...(defs.EventType.enum ?? [])].sort()).toEqual([...schemaData.event_types].sort());
	expect([...(defs.EnabledEvent.enum ?? [])].sort()).toEqual(['*', ...schemaData.event_types].sort());
});

test('the Events parameter offers every type and *; Include Related Objects is a visible parameter, on by default', () => {
	const events = triggerProperties.find((property) => property.name === 'events')!;
	expect((events.options as Array<{ value: string }>).map((option) => option.value).sort()).toEqual(['*', ...schemaData.event_types].sort());
	const related = triggerProperties.find((property) => property.name === 'includeRelatedObjects')!;
	expect(related).toMatchObject({ type: 'boolean', default: true });
	expect(related.displayOptions).toBeUndefined();
});
