// Runs the Tilled triggers' functions through n8n-core's real contexts: HookContext for the
// webhook methods, WebhookContext for deliveries, PollContext for polls. A real Workflow keeps
// the node's static data between calls, as n8n does between activation and deliveries.
// Deliveries from the fake Tilled arrive at a small HTTP server that hands them to webhook()
// with the raw body, the way n8n's webhook server does.
import http from 'node:http';
import { HookContext, PollContext, WebhookContext } from 'n8n-core';
import { Workflow, type IDataObject, type INode, type INodeType, type IWebhookData, type IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { TilledPollingTrigger } from '../../nodes/Tilled/TilledPollingTrigger.node';
import { TilledTrigger } from '../../nodes/Tilled/TilledTrigger.node';
import { additionalDataFor, nodeTypes, type TilledCredentialData } from './n8n';

export const TRIGGER_TYPE = 'n8n-nodes-tilled.tilledTrigger';
export const POLLING_TYPE = 'n8n-nodes-tilled.tilledPollingTrigger';

export interface Delivery {
	status: number;
	body: unknown;
	/** Headers the node set on its own answer. */
	headers?: Record<string, string>;
	/** The items the workflow would run with; undefined when no run starts. */
	items?: IDataObject[];
}

function workflowFor(type: string, nodeType: INodeType, parameters: IDataObject, staticData: IDataObject = {}, workflowId = 'wf-trigger') {
	const node: INode = {
		id: 'tilled-trigger',
		name: 'Tilled Trigger',
		type,
		typeVersion: 1,
		position: [0, 0],
		webhookId: 'b6a7c2f0-tilled-trigger',
		parameters: parameters as INode['parameters'],
		credentials: { tilledApi: { id: 'cred-1', name: 'Tilled test' } },
	};
	const workflow = new Workflow({
		id: workflowId,
		name: 'Mark orders paid',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: nodeTypes({ [type]: nodeType }),
		staticData,
	});
	return { workflow, node: workflow.getNode(node.name)! };
}

/** The webhook trigger with a receiver for deliveries; `restart()` keeps only the saved static data. */
export async function startWebhookTrigger(
	credentials: TilledCredentialData,
	parameters: IDataObject,
	/** isTest: the editor's "Listen for test event" (n8n's test URL, manual mode). */
	{ isTest = false } = {},
) {
	const nodeType = new TilledTrigger();
	let current = workflowFor(TRIGGER_TYPE, nodeType, parameters);
	const deliveries: Delivery[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			receive(req, res, Buffer.concat(chunks)).catch((error: Error) => {
				deliveries.push({ status: 500, body: error.message });
				res.statusCode = 500;
				res.end(error.message);
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	const additionalData = (extra: Partial<IWorkflowExecuteAdditionalData> = {}) =>
		({
			...additionalDataFor(credentials),
			webhookBaseUrl: `http://127.0.0.1:${port}/webhook`,
			webhookTestBaseUrl: `http://127.0.0.1:${port}/webhook-test`,
			...extra,
		}) as IWorkflowExecuteAdditionalData;
	const webhookData = (): IWebhookData =>
		({
			httpMethod: 'POST',
			node: current.node.name,
			path: 'webhook',
			webhookDescription: nodeType.description.webhooks![0],
			workflowId: 'wf-trigger',
			isTest,
			workflowExecuteAdditionalData: additionalData(),
		}) as unknown as IWebhookData;

	async function receive(req: http.IncomingMessage, res: http.ServerResponse, rawBody: Buffer) {
		let body: unknown;
		try {
			body = JSON.parse(rawBody.toString('utf8'));
		} catch {
			body = {};
		}
		// What n8n's webhook server hands to the node: the parsed body and the raw bytes.
		const request = Object.assign(req, { body, rawBody, params: {}, query: {} });
		let answered: { status: number; body: unknown } | undefined;
		const headers: Record<string, string> = {};
		const response = {
			setHeader(name: string, value: string) {
				headers[name.toLowerCase()] = value;
				return response;
			},
			status(code: number) {
				answered = { status: code, body: undefined };
				return response;
			},
			json(value: unknown) {
				answered = { status: answered?.status ?? 200, body: value };
				return response;
			},
		};
		const context = new WebhookContext(
			current.workflow,
			current.node,
			additionalData({ httpRequest: request, httpResponse: response } as unknown as Partial<IWorkflowExecuteAdditionalData>),
			isTest ? 'manual' : 'trigger',
			webhookData(),
			[],
			null,
		);
		const result = await nodeType.webhook.call(context);
		const delivery: Delivery = answered
			? { status: answered.status, body: answered.body, headers }
			: { status: 200, body: result.webhookResponse ?? { message: 'Workflow was started' }, items: result.workflowData?.[0].map((item) => item.json) };
		deliveries.push(delivery);
		res.statusCode = delivery.status;
		for (const [name, value] of Object.entries(delivery.headers ?? {})) res.setHeader(name, value);
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify(delivery.body ?? {}));
	}

	const hook = (method: 'checkExists' | 'create' | 'delete') => {
		const context = new HookContext(current.workflow, current.node, additionalData(), isTest ? 'manual' : 'trigger', isTest ? 'manual' : 'activate', webhookData());
		return nodeType.webhookMethods.default[method].call(context);
	};

	return {
		url: `http://127.0.0.1:${port}/${isTest ? 'webhook-test' : 'webhook'}/${current.node.webhookId}/webhook`,
		deliveries,
		staticData: () => current.workflow.getStaticData('node', current.node),
		/** What n8n does on activation: create only when checkExists says there is none. */
		async activate() {
			if (!(await hook('checkExists'))) await hook('create');
		},
		deactivate: () => hook('delete'),
		hook,
		/** A new Workflow from the static data n8n saved (a restart of n8n). */
		restart() {
			current = workflowFor(TRIGGER_TYPE, nodeType, parameters, JSON.parse(JSON.stringify(current.workflow.staticData)));
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

let pollingWorkflows = 0;
/** The polling trigger; `poll()` runs one poll in the given mode and keeps the static data. */
export function pollingTrigger(credentials: TilledCredentialData, parameters: IDataObject) {
	const nodeType = new TilledPollingTrigger();
	// Each its own workflow id, as in n8n: overlapping polls are told apart by workflow and node.
	const { workflow, node } = workflowFor(POLLING_TYPE, nodeType, parameters, {}, `wf-polling-${++pollingWorkflows}`);
	return {
		staticData: () => workflow.getStaticData('node', node),
		async poll(mode: 'trigger' | 'manual' = 'trigger') {
			const context = new PollContext(workflow, node, additionalDataFor(credentials), mode, 'activate');
			const result = await nodeType.poll.call(context);
			return result ? result[0].map((item) => item.json) : [];
		},
	};
}
