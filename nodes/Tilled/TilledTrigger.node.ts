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
import { eventWanted, isTilledEvent, readTriggerOptions, triggerProperties } from './trigger/events';
import { deliveryOutput, lookupUsed, runWithoutRelatedObject } from './trigger/deliveryLookup';
import { claimEvent, eventState, markEventRun, releaseEvent } from './trigger/recentEvents';
import { MAX_DELIVERY_AGE_MS, SIGNATURE_TOLERANCE_MS, verifySignature } from './trigger/signature';
import { tilledApiRequest, tilledList, transportSettings } from './transport';

const ENDPOINTS = '/v1/webhook-endpoints';
/** Retry-After (seconds) on a delivery that came before n8n stored the signing secret. */
const NO_SECRET_RETRY_AFTER_S = 5;
/** Retry-After (seconds) on a duplicate that came while the first delivery is still prepared. */
const IN_FLIGHT_RETRY_AFTER_S = 10;
/** Retry-After (seconds) on a delivery whose related-object lookup failed. */
const LOOKUP_FAILED_RETRY_AFTER_S = 30;
/** 503 with Retry-After: the sender keeps the delivery and sends it again. */
function answerRetryLater(context: IWebhookFunctions, retryAfterS: number, message: string, reason?: string): IWebhookResponseData {
	const response = context.getResponseObject();
	response.setHeader('retry-after', String(retryAfterS));
	response.status(503).json(reason === undefined ? { message } : { message, reason });
	return { noWebhookResponse: true };
}

/** What the node keeps in the workflow's static data while the workflow is active. */
interface EndpointData extends IDataObject {
	webhookId?: string;
	webhookSecret?: string;
	webhookUrl?: string;
	recentEventIds?: string[];
}

/** Whether an endpoint's enabled_events are the node's events (in any order). */
function sameEvents(enabled: unknown, events: string[]): boolean {
	if (!Array.isArray(enabled)) return false;
	const wanted = new Set(events);
	const have = new Set(enabled.filter((type): type is string => typeof type === 'string'));
	return have.size === wanted.size && [...wanted].every((type) => have.has(type));
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
					'Tilled must reach this n8n at its production URL. Without a public URL, use the Tilled (Polling) Trigger. The API key needs the webhook_endpoints:read and webhook_endpoints:write scopes (and checkout_sessions:read for Include Related Objects).',
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
				const { events } = readTriggerOptions.call(this);
				if (endpoint?.url === this.getNodeWebhookUrl('default') && data.webhookSecret && sameEvents(endpoint?.enabled_events, events)) {
					return true;
				}
				// n8n's URL changed, the secret is gone, or the endpoint's events are no longer the
				// node's (changed at Tilled): the old endpoint must not stay behind.
				if (endpoint) await deleteEndpoint.call(this, data.webhookId);
				// Deleted at Tilled, or replaced: let n8n create it again.
				delete data.webhookId;
				delete data.webhookSecret;
				delete data.webhookUrl;
				return false;
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const url = this.getNodeWebhookUrl('default');
				// A hook runs for the node, not for an item: there is no itemIndex to give.
				if (!url) throw new NodeOperationError(this.getNode(), 'n8n gave no webhook URL for the Tilled Trigger');
				const { events } = readTriggerOptions.call(this);
				const settings = await transportSettings.call(this);
				// An endpoint for this URL left by an earlier activation (its secret is gone with the
				// static data) would deliver every event twice: remove it first.
				// Every page: an account may have more than 100 endpoints (other workflows, other tools).
				const existing = await tilledList.call(this, settings, {}, { path: ENDPOINTS, action: 'list webhook endpoints', pageConcurrency: 1 });
				for (const endpoint of existing) {
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
			return answerRetryLater(this, NO_SECRET_RETRY_AFTER_S, 'not ready: no signing secret is stored', 'if this lasts, deactivate and activate the workflow');
		}
		const request = this.getRequestObject();
		// n8n 1.x and 2.x keep the bytes as received (rawBody); the signature is over those bytes.
		const rawBody = request.rawBody ?? Buffer.from(JSON.stringify(this.getBodyData()));
		// A retry may keep its first attempt's timestamp (Tilled does not say): a timestamp up to 3
		// days old is accepted, so an outage longer than 5 minutes does not refuse a payment on every
		// retry. A replay of a signed delivery is stopped by the seen event ids instead.
		const check = verifySignature(this.getHeaderData()['tilled-signature'], rawBody, data.webhookSecret, Date.now(), SIGNATURE_TOLERANCE_MS, MAX_DELIVERY_AGE_MS);
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
		const seen = eventState(scope, event.id, data);
		if (seen === 'inFlight') {
			// The first delivery is still being prepared and may yet fail: this one must come again.
			return answerRetryLater(this, IN_FLIGHT_RETRY_AFTER_S, `event ${event.id} is being processed; send it again later`);
		}
		if (seen === 'done' || !claimEvent(scope, event.id, data)) {
			return { webhookResponse: { received: true, ignored: 'duplicate delivery' } };
		}
		const lookupKey = `${scope} ${event.id}`;
		const output = await deliveryOutput.call(this, lookupKey, event, options);
		// A lookup still under way (queued behind others, or slow) is not a failure: Tilled's retry
		// takes its result. One that failed counts towards running without the object.
		if (output.error !== undefined && (output.pending === true || !runWithoutRelatedObject(lookupKey, event))) {
			// Tilled retries a 5xx: its next delivery may find the object. Released, so it runs then.
			releaseEvent(scope, event.id);
			const intent = typeof event.data?.id === 'string' ? ` (${event.data.id})` : '';
			return answerRetryLater(this, LOOKUP_FAILED_RETRY_AFTER_S, `the lookup for event ${event.id}${intent} failed; send it again later`, output.error);
		}
		lookupUsed(lookupKey);
		markEventRun(scope, event.id, data);
		return { workflowData: [[{ json: output.json }]] };
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
