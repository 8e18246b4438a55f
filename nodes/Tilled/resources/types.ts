import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { TransportSettings } from '../transport';

export interface RunContext {
	settings: TransportSettings;
	itemIndex: number;
	/** Options of the node's Options collection, read once per execution. */
	pageConcurrency: number;
}

/**
 * One operation of a resource: how it is offered (name, value, description, action), its
 * parameters, the traits the runner needs, a `prepare` that reads and checks one item's
 * parameters without sending anything, and a `run` that sends it.
 */
export interface TilledOperation<Prepared> {
	/** The Operation option: name and value, description and the action shown in the node panel. */
	name: string;
	value: string;
	description: string;
	action: string;
	/** Its parameters; the node assembling them shows them for this operation only. */
	properties: INodeProperties[];
	/** Entries of its own in the Options collection (beside the run options every operation has). */
	options?: INodeProperties[];
	/**
	 * It changes money or state at Tilled: every item is read and checked before the first request.
	 * Operations that only read prepare items in runs, ahead of their requests.
	 */
	changesState?: boolean;
	/** It lists (pages in parallel): the Pages in Parallel option applies, and caps its requests. */
	lists?: boolean;
	/**
	 * What it creates at Tilled ("Checkout sessions", "Refunds"): if the run stops on a failure,
	 * the error names those created before it, so none is lost.
	 */
	creates?: string;
	prepare(this: IExecuteFunctions, itemIndex: number): Prepared;
	run(this: IExecuteFunctions, prepared: Prepared, context: RunContext): Promise<IDataObject[]>;
}

/** An operation of any prepared type: run only ever gets what the same operation's prepare gave. */
export type AnyOperation = TilledOperation<unknown>;

/** A resource: its Resource option and its operations, in the order the Operation list shows them. */
export interface TilledResource {
	name: string;
	value: string;
	/** The operation selected when the resource is picked. */
	defaultOperation: string;
	operations: AnyOperation[];
}

/**
 * Kept for operation files that still name their operation in a field's displayOptions; the node
 * assembling the properties sets resource and operation on every field anyway.
 */
export const showFor = (operation: string) => ({ show: { operation: [operation] } });
