import { NodeOperationError, type INode } from 'n8n-workflow';

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
