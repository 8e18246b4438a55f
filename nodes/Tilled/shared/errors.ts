import {
	NodeOperationError,
	type IExecuteFunctions,
	type IGetNodeParameterOptions,
	type INode,
} from 'n8n-workflow';

/**
 * A parameter that fails a check. Thrown by the pure validation code, which knows the field but
 * not the n8n context; the node turns it into a NodeOperationError naming the item.
 */
export class InvalidParameter extends Error {
	constructor(
		readonly field: string,
		readonly problem: string,
	) {
		super(`${field} ${problem}`);
		this.name = 'InvalidParameter';
	}
}

export function invalidParameterError(node: INode, error: InvalidParameter, itemIndex: number) {
	return new NodeOperationError(node, `Item ${itemIndex}: ${error.field} ${error.problem}`, {
		itemIndex,
		description: `Nothing was sent to Tilled for item ${itemIndex}. Fix the "${error.field}" parameter (or the data it is mapped from) and run again.`,
	});
}

/**
 * Reads a parameter for an item; an expression that fails to resolve becomes an InvalidParameter
 * naming the field, like every other bad input.
 */
export function readParameter(
	context: IExecuteFunctions,
	name: string,
	itemIndex: number,
	field: string,
	fallback?: unknown,
	options?: IGetNodeParameterOptions,
): unknown {
	const outcome = attempt(() => context.getNodeParameter(name, itemIndex, fallback as never, options));
	if ('failure' in outcome) {
		throw new InvalidParameter(field, `could not be read: ${outcome.failure.message}`);
	}
	return outcome.value;
}

function attempt<T>(read: () => T): { value: T } | { failure: Error } {
	try {
		return { value: read() };
	} catch (error) {
		return { failure: error as Error };
	}
}
