import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { TransportSettings } from '../../transport';

export interface RunContext {
	settings: TransportSettings;
	itemIndex: number;
	/** Options of the node's Options collection, read once per execution. */
	pageConcurrency: number;
}

/**
 * One operation: its parameters, a `prepare` that reads and checks one item's parameters without
 * sending anything (for Create and Expire all items are prepared before the first request; Get
 * and Get Many prepare items in runs of 100, ahead of their requests), and a `run` that sends it.
 */
export interface TilledOperation<Prepared> {
	properties: INodeProperties[];
	prepare(this: IExecuteFunctions, itemIndex: number): Prepared;
	run(this: IExecuteFunctions, prepared: Prepared, context: RunContext): Promise<IDataObject[]>;
}

export const showFor = (operation: string) => ({ show: { operation: [operation] } });
