import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { listSearch } from './listSearch';
import { RESOURCES } from './resources';
import { chosenOperation, multiResourceProperties, subtitle } from './resources/properties';
import { runOperation } from './resources/runner';

/**
 * Every Tilled action in one node. Its name, tilled, is what makes n8n's node panel show it
 * beside the Tilled Trigger (tilledTrigger).
 */
export class Tilled implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tilled',
		name: 'tilled',
		icon: { light: 'file:tilled.svg', dark: 'file:tilled.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: subtitle(RESOURCES, true),
		description: 'Refund and capture payments, and work with checkout sessions, customers, disputes, payouts and balance transactions in Tilled',
		defaults: { name: 'Tilled' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tilledApi', required: true }],
		properties: multiResourceProperties(RESOURCES, 'refund'),
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const resource = this.getNodeParameter('resource', 0) as string;
		const value = this.getNodeParameter('operation', 0) as string;
		const operation = chosenOperation(RESOURCES, resource, value);
		if (!operation) {
			throw new NodeOperationError(this.getNode(), `Unknown operation "${value}" of resource "${resource}"`, { itemIndex: 0 });
		}
		return await runOperation.call(this, operation);
	}
}
