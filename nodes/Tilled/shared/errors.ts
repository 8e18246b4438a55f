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

/**
 * A required value that came out empty: when the parameter is an expression, that is the cause
 * to show (a misspelt $JSON gives nothing, not an error), not "got nothing".
 */
export function requireExpressionValue(
	context: IExecuteFunctions,
	name: string,
	itemIndex: number,
	field: string,
	value: unknown,
): void {
	if (value !== undefined && value !== null && value !== '') return;
	const expression = rawExpression(context, name, itemIndex);
	if (expression !== undefined) {
		throw new InvalidParameter(field, `is required, but its expression gave no value: ${expression}. ${EXPRESSION_ADVICE}`);
	}
}

export const EXPRESSION_ADVICE =
	'Check the names in it against the input item (n8n\'s names are case-sensitive: $json, not $JSON)';

/** The parameter's expression as typed (without the leading "="), or undefined if it is a plain value. */
export function rawExpression(context: IExecuteFunctions, name: string, itemIndex: number): string | undefined {
	const outcome = attempt(() => context.getNodeParameter(name, itemIndex, undefined, { rawExpressions: true }));
	if ('failure' in outcome) return undefined;
	// A resource locator keeps its expression in .value.
	const raw = outcome.value !== null && typeof outcome.value === 'object' ? (outcome.value as { value?: unknown }).value : outcome.value;
	if (typeof raw !== 'string' || !raw.startsWith('=')) return undefined;
	const text = raw.slice(1).trim();
	return text.length > 120 ? text.slice(0, 117) + '…' : text;
}

function attempt<T>(read: () => T): { value: T } | { failure: Error } {
	try {
		return { value: read() };
	} catch (error) {
		return { failure: error as Error };
	}
}
