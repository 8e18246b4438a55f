import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
	type JsonObject,
} from 'n8n-workflow';
import { eventOutput, eventWanted, isTilledEvent, readTriggerOptions, triggerProperties } from './trigger/events';
import { forgetEvent, rememberEvent } from './trigger/recentEvents';
import { verifySignature } from './trigger/signature';
import { tilledApiRequest, transportSettings } from './transport';

const ENDPOINTS = '/v1/webhook-endpoints';
/** Retry-After (seconds) on a delivery that came before n8n stored the signing secret. */
const NO_SECRET_RETRY_AFTER_S = 5;

/** What the node keeps in the workflow's static data while the workflow is active. */
interface EndpointData extends IDataObject {
	webhookId?: string;
	webhookSecret?: string;
	webhookUrl?: string;
	recentEventIds?: string[];
}

/** The request's result, or undefined when Tilled answers 404; other failures stay failures. */
async function unlessNotFound<T>(request: Promise<T>): Promise<T | undefined> {
	return await request.catch(async (error: unknown) => {
		if (error instanceof NodeApiError && error.httpCode === '404') return undefined;
		return await Promise.reject(error);
	});
}

export class TilledTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tilled Trigger',
		name: 'tilledTrigger',
		icon: { light: 'file:tilled.svg', dark: 'file:tilled.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["events"].join(", ") }}',
		description: 'Starts the workflow when Tilled sends an event, e.g. a checkout session was paid (signed webhooks)',
		defaults: { name: 'Tilled Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tilledApi', required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName:
					'Tilled must reach this n8n at its production URL. Without a public URL, use the Tilled Polling Trigger. The API key needs the webhook_endpoints:read and webhook_endpoints:write scopes (and checkout_sessions:read for Include Checkout Session).',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...triggerProperties,
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node') as EndpointData;
				if (!data.webhookId) return false;
				const settings = await transportSettings.call(this);
				const endpoint = await unlessNotFound(
					tilledApiRequest.call(this, settings, {
						method: 'GET',
						path: `${ENDPOINTS}/${encodeURIComponent(data.webhookId)}`,
						safety: 'idempotent',
						action: 'get the webhook endpoint',
					}),
				);
				if (endpoint?.url === this.getNodeWebhookUrl('default') && data.webhookSecret) return true;
				// n8n's URL changed (or the secret is gone): the old endpoint must not stay behind.
				if (endpoint) await deleteEndpoint.call(this, data.webhookId);
				// Deleted at Tilled, or replaced: let n8n create it again.
				delete data.webhookId;
				delete data.webhookSecret;
				delete data.webhookUrl;
				return false;
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const url = this.getNodeWebhookUrl('default');
				if (!url) throw new NodeOperationError(this.getNode(), 'n8n gave no webhook URL for the Tilled Trigger');
				const { events } = readTriggerOptions.call(this);
				const settings = await transportSettings.call(this);
				// An endpoint for this URL left by an earlier activation (its secret is gone with the
				// static data) would deliver every event twice: remove it first.
				const existing = await tilledApiRequest.call(this, settings, {
					method: 'GET',
					path: ENDPOINTS,
					qs: { limit: 100 },
					safety: 'idempotent',
					action: 'list webhook endpoints',
				});
				for (const endpoint of (existing.items as IDataObject[] | undefined) ?? []) {
					if (endpoint.url !== url || typeof endpoint.id !== 'string') continue;
					await deleteEndpoint.call(this, endpoint.id);
				}
				const workflowName = this.getWorkflow().name ?? this.getWorkflow().id ?? '';
				const endpoint = await tilledApiRequest.call(this, settings, {
					method: 'POST',
					path: ENDPOINTS,
					body: {
						url,
						enabled_events: events,
						description: `n8n workflow "${workflowName}"`.slice(0, 255),
					},
					safety: 'unsafe',
					action: 'create the webhook endpoint',
				});
				if (typeof endpoint.id !== 'string' || typeof endpoint.secret !== 'string') {
					throw new NodeApiError(this.getNode(), endpoint as JsonObject, {
						message: 'Tilled created the webhook endpoint but returned no id or signing secret',
					});
				}
				const data = this.getWorkflowStaticData('node') as EndpointData;
				data.webhookId = endpoint.id;
				data.webhookSecret = endpoint.secret;
				data.webhookUrl = url;
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node') as EndpointData;
				if (data.webhookId) await deleteEndpoint.call(this, data.webhookId);
				delete data.webhookId;
				delete data.webhookSecret;
				delete data.webhookUrl;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const data = this.getWorkflowStaticData('node') as EndpointData;
		if (!data.webhookSecret) {
			// Between Tilled creating the endpoint and n8n saving its secret (a moment at activation),
			// a delivery can come: "try again", not "unauthorized", so Tilled's retry gets through.
			const response = this.getResponseObject();
			response.setHeader('retry-after', String(NO_SECRET_RETRY_AFTER_S));
			response.status(503).json({
				message: 'not ready: no signing secret is stored',
				reason: 'if this lasts, deactivate and activate the workflow',
			});
			return { noWebhookResponse: true };
		}
		const request = this.getRequestObject();
		// n8n 1.x and 2.x keep the bytes as received (rawBody); the signature is over those bytes.
		const rawBody = request.rawBody ?? Buffer.from(JSON.stringify(this.getBodyData()));
		const check = verifySignature(this.getHeaderData()['tilled-signature'], rawBody, data.webhookSecret, Date.now());
		if (!check.valid) {
			// Nothing from an unverified request runs, and the answer tells nothing about the secret.
			this.getResponseObject().status(401).json({ message: 'invalid tilled-signature', reason: check.reason });
			return { noWebhookResponse: true };
		}

		const event = this.getBodyData();
		if (!isTilledEvent(event)) return { webhookResponse: { received: true, ignored: 'not a Tilled event' } };
		const options = readTriggerOptions.call(this);
		const credentials = await this.getCredentials('tilledApi');
		if (!eventWanted(event, options, String(credentials.accountId ?? ''))) {
			return { webhookResponse: { received: true, ignored: 'event type or account not selected' } };
		}

		const scope = data.webhookId ?? this.getNode().id;
		const remembered = (data.recentEventIds ??= []);
		if (!rememberEvent(scope, event.id, remembered)) {
			return { webhookResponse: { received: true, ignored: 'duplicate delivery' } };
		}
		let json: IDataObject | undefined;
		try {
			const settings = await transportSettings.call(this);
			json = await eventOutput.call(this, settings, event, options);
		} finally {
			// When the run cannot start (the session lookup failed), Tilled's retry must get through.
			if (json === undefined) forgetEvent(scope, event.id, remembered);
		}
		return { workflowData: [[{ json }]] };
	}
}

async function deleteEndpoint(this: IHookFunctions, id: string) {
	const settings = await transportSettings.call(this);
	// Already gone is as good as deleted.
	await unlessNotFound(
		tilledApiRequest.call(this, settings, {
			method: 'DELETE',
			path: `${ENDPOINTS}/${encodeURIComponent(id)}`,
			safety: 'idempotent',
			action: 'delete the webhook endpoint',
		}),
	);
}
