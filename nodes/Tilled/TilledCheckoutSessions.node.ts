import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { searchCheckoutSessions } from './listSearch/searchCheckoutSessions';
import { checkoutSession } from './resources/checkoutSession';
import { chosenOperation, singleResourceProperties, subtitle } from './resources/properties';
import { runOperation } from './resources/runner';

/** The checkout session operations alone; the Tilled node offers the same ones as a resource. */
export class TilledCheckoutSessions implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tilled Checkout Sessions',
		name: 'tilledCheckoutSessions',
		icon: { light: 'file:tilled.svg', dark: 'file:tilled.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: subtitle([checkoutSession], false),
		description: 'Create, get, expire and list Tilled checkout sessions (hosted payment pages)',
		defaults: { name: 'Tilled Checkout Sessions' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tilledApi', required: true }],
		properties: singleResourceProperties(checkoutSession),
	};

	methods = { listSearch: { searchCheckoutSessions } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const value = this.getNodeParameter('operation', 0) as string;
		const operation = chosenOperation([checkoutSession], checkoutSession.value, value);
		if (!operation) throw new NodeOperationError(this.getNode(), `Unknown operation "${value}"`, { itemIndex: 0 });
		return await runOperation.call(this, operation);
	}
}
