import {
	NodeConnectionTypes,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { triggerProperties } from './trigger/events';
import { pollEvents } from './trigger/polling';

export class TilledPollingTrigger implements INodeType {
	description: INodeTypeDescription = {
		// n8n's node panel drops "Trigger" from a trigger's name: this one reads "Tilled (Polling)".
		displayName: 'Tilled (Polling) Trigger',
		name: 'tilledPollingTrigger',
		icon: { light: 'file:tilled.svg', dark: 'file:tilled.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["events"].join(", ") }}',
		description: 'Starts the workflow for new Tilled events, read on a schedule (no public URL needed)',
		defaults: { name: 'Tilled (Polling) Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tilledApi', required: true }],
		properties: [
			{
				displayName:
					'Reads new events from Tilled on the Poll Times schedule; no public URL needed. The API key needs the events:read scope (and the read scope of each related object for Include Related Objects, e.g. checkout_sessions:read).',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...triggerProperties,
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollEvents.call(this);
	}
}
