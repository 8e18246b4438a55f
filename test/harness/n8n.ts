// Runs the node's execute() through n8n-core's real ExecuteContext and request helpers, with a
// real Workflow (parameters, defaults, expressions resolved per item). The only stand-in is the
// credentials store: decrypted credentials come from memory, and the credential's generic
// authenticate is applied the way n8n's CredentialsHelper applies it.
import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { TilledApi } from '../../credentials/TilledApi.credentials';
import { errorText, report, reporting } from './report';
import { TilledCheckoutSessions } from '../../nodes/Tilled/TilledCheckoutSessions.node';
import { create } from '../../nodes/Tilled/resources/checkoutSession/create';
import { expire } from '../../nodes/Tilled/resources/checkoutSession/expire';
import { get } from '../../nodes/Tilled/resources/checkoutSession/get';
import { getMany } from '../../nodes/Tilled/resources/checkoutSession/getMany';
import type { TilledOperation } from '../../nodes/Tilled/resources/types';

export const NODE_TYPE = 'n8n-nodes-tilled.tilledCheckoutSessions';
const credentialType = new TilledApi();

export type TilledCredentialData = ICredentialDataDecryptedObject & {
	accountId: string;
	apiKey: string;
	environment: 'sandbox' | 'production' | 'custom';
	baseUrl?: string;
};

class MemoryCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: TilledCredentialData) {
		super();
	}

	getParentTypes() {
		return [];
	}

	isCredentialUsableByNode() {
		return true;
	}

	// The credential authenticates with a function, which n8n's CredentialsHelper calls as it is.
	async authenticate(credentials: ICredentialDataDecryptedObject, _typeName: string, requestOptions: IHttpRequestOptions) {
		const authenticate = credentialType.authenticate;
		if (typeof authenticate !== 'function') throw new Error('TilledApi.authenticate is expected to be a function');
		return await authenticate(credentials, requestOptions);
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used: getDecrypted serves the credential');
	}

	async getDecrypted() {
		return { ...this.data };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties() {
		return credentialType.properties;
	}
}

export function nodeTypes(types: Record<string, INodeType>): INodeTypes {
	return {
		getByName: (name) => types[name],
		getByNameAndVersion: (name) => types[name],
		getKnownTypes: () => ({}),
	};
}

export function additionalDataFor(credentials: TilledCredentialData): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: new MemoryCredentialsHelper(credentials),
		variables: {},
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		formBaseUrl: 'http://127.0.0.1/form',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1/form-test',
		currentNodeExecutionIndex: 0,
		executionId: 'test-execution',
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface RunOptions {
	parameters: Record<string, unknown>;
	items?: IDataObject[];
	credentials: TilledCredentialData;
	continueOnFail?: boolean;
	timezone?: string;
	/** The workflow's static data (n8n keeps it between production runs); changed in place by the run. */
	staticData?: IDataObject;
}

export interface RunResult {
	items: INodeExecutionData[];
	/** The items' json, for short assertions. */
	json: IDataObject[];
}

/** n8n-core's real ExecuteContext for the Tilled node with these parameters and input items. */
function executeContext(options: RunOptions): ExecuteContext {
	const node: INode = {
		id: 'tilled-node',
		name: 'Tilled Checkout Sessions',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters as INodeParameters,
		credentials: { tilledApi: { id: 'cred-1', name: 'Tilled test' } },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const workflow = new Workflow({
		id: 'wf-test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: nodeTypes({ [NODE_TYPE]: new TilledCheckoutSessions() }),
		settings: options.timezone ? { timezone: options.timezone } : {},
		staticData: options.staticData,
	});
	const inputItems: INodeExecutionData[] = (options.items ?? [{}]).map((json) => ({ json }));
	const context = new ExecuteContext(
		workflow,
		workflow.getNode(node.name)!,
		additionalDataFor(options.credentials),
		'manual',
		createRunExecutionData(),
		0,
		inputItems,
		{ main: [inputItems] },
		{ node: workflow.getNode(node.name)!, data: { main: [inputItems] }, source: null },
		[],
	);
	return context;
}

/**
 * Reads and checks item 0's parameters the way execute() does before any request (the
 * operation's prepare, in the real ExecuteContext: parameters, defaults, expressions), without
 * sending anything. Returns what prepare gives, or throws what it throws. For the fuzz suite,
 * where a full execute per case would cost mostly HTTP.
 */
export function prepareItem(options: RunOptions): unknown {
	const context = executeContext(options);
	const operation = context.getNodeParameter('operation', 0) as string;
	const operations: Record<string, TilledOperation<unknown>> = { create, get, expire, getAll: getMany } as never;
	const prepare = operations[operation]?.prepare;
	if (!prepare) throw new Error(`unknown operation ${operation}`);
	return prepare.call(context, 0);
}

/** Runs the Tilled node once over `items` (one empty item by default). Throws what the node throws. */
export async function runNode(options: RunOptions): Promise<RunResult> {
	const context = executeContext(options);
	const nodeType = new TilledCheckoutSessions();
	if (!reporting()) {
		const output = await nodeType.execute.call(context);
		return { items: output[0], json: output[0].map((item) => item.json) };
	}
	// Reporting for the secrets check: what the run printed, returned or threw.
	report({ type: 'secret', value: options.credentials.apiKey });
	const printed = capturePrinted();
	try {
		const output = await nodeType.execute.call(context);
		const items = output[0];
		const errors = items.map((item) => (item.error ? errorText(item.error) : '')).join('\n');
		report({ type: 'exposure', source: expect.getState().currentTestName ?? '', text: JSON.stringify(items.map((i) => i.json)) + errors + printed.text() });
		return { items, json: items.map((item) => item.json) };
	} catch (error) {
		report({ type: 'exposure', source: expect.getState().currentTestName ?? '', text: errorText(error) + printed.text() });
		throw error;
	} finally {
		printed.restore();
	}
}

/** Collects what is written to stdout, stderr and the console while a run lasts. */
function capturePrinted() {
	const chunks: string[] = [];
	const originals = { out: process.stdout.write, err: process.stderr.write };
	const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
	const consoleOriginals = methods.map((m) => console[m]);
	const keep = (chunk: unknown) => {
		chunks.push(String(chunk));
		return true;
	};
	process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => keep(chunk) && originals.out.call(process.stdout, chunk as string, ...(rest as []))) as typeof process.stdout.write;
	process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => keep(chunk) && originals.err.call(process.stderr, chunk as string, ...(rest as []))) as typeof process.stderr.write;
	methods.forEach((m, i) => {
		console[m] = (...args: unknown[]) => {
			chunks.push(args.map(String).join(' '));
			(consoleOriginals[i] as (...a: unknown[]) => void)(...args);
		};
	});
	return {
		text: () => chunks.join(''),
		restore() {
			process.stdout.write = originals.out;
			process.stderr.write = originals.err;
			methods.forEach((m, i) => (console[m] = consoleOriginals[i]));
		},
	};
}

/**
 * The credential test as n8n's CredentialsTester runs it: the test request goes through
 * n8n-core's RoutingNode with the credential applied, and the rules map a failing status to
 * a message. Returns n8n's verdict.
 */
export async function testCredential(credentials: TilledCredentialData): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const test = credentialType.test!;
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'credential-test',
		typeVersion: 1,
		position: [0, 0],
		parameters: { temp: '' },
		credentials: { tilledApi: { id: 'cred-1', name: 'Tilled test' } },
	};
	const testNodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'credential-test',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'tilledApi', required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: test.request }, default: '' },
			],
		},
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: nodeTypes({ 'credential-test': testNodeType }),
	});
	const inputItems = [{ json: {} }];
	const context = new ExecuteContext(
		workflow,
		workflow.getNode(node.name)!,
		additionalDataFor(credentials),
		'internal',
		createRunExecutionData(),
		0,
		[],
		{ main: [inputItems] },
		{ node: workflow.getNode(node.name)!, data: {}, source: null },
		[],
	);
	const routingNode = new RoutingNode(context, testNodeType, {
		id: 'cred-1',
		name: 'Tilled test',
		type: 'tilledApi',
		data: credentials,
	});
	if (reporting()) report({ type: 'secret', value: credentials.apiKey });
	const verdict = await credentialVerdict(routingNode, test);
	if (reporting()) report({ type: 'exposure', source: 'credential test', text: JSON.stringify(verdict) });
	return verdict;
}

async function credentialVerdict(
	routingNode: RoutingNode,
	test: NonNullable<TilledApi['test']>,
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	try {
		await routingNode.runNode();
	} catch (error) {
		const status = (error as { cause?: { response?: { status?: number; statusText?: string } } }).cause?.response?.status;
		if (status !== undefined) {
			for (const rule of test.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === status) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			return { status: 'Error', message: `Received HTTP status code: ${status}` };
		}
		const code = (error as { cause?: { code?: string } }).cause?.code;
		return { status: 'Error', message: code ?? String((error as Error).message) };
	}
	return { status: 'OK', message: 'Connection successful!' };
}
