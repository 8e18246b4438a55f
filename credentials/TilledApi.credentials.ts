import type {
	IAuthenticate,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export const TILLED_PRODUCTION_URL = 'https://api.tilled.com';
export const TILLED_SANDBOX_URL = 'https://sandbox-api.tilled.com';

// One expression, used by the credential test; the node computes the same thing in
// shared/transport.ts (tilledBaseUrl) from the decrypted credential.
const baseUrlExpression =
	'={{ $credentials.environment === "production" ? "' +
	TILLED_PRODUCTION_URL +
	'" : $credentials.environment === "custom" ? String($credentials.baseUrl).replace(/\\/+$/, "") : "' +
	TILLED_SANDBOX_URL +
	'" }}';

export class TilledApi implements ICredentialType {
	name = 'tilledApi';

	displayName = 'Tilled API';

	icon: Icon = { light: 'file:tilled.svg', dark: 'file:tilled.dark.svg' };

	documentationUrl = 'https://docs.tilled.com/api/';

	properties: INodeProperties[] = [
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'acct_…',
			description:
				'The merchant account the calls act for (sent as the tilled-account header). Found in the Tilled dashboard under Account Settings.',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'A secret API key from the Tilled dashboard (Developers → API Keys). A restricted key needs the checkout_sessions:read and checkout_sessions:write scopes; the Tilled Trigger also webhook_endpoints:read and webhook_endpoints:write, the Tilled Polling Trigger events:read.',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{
					name: 'Sandbox',
					value: 'sandbox',
					description: TILLED_SANDBOX_URL + ' (test payments; needs a sandbox key)',
				},
				{
					name: 'Production',
					value: 'production',
					description: TILLED_PRODUCTION_URL + ' (real payments; needs a production key)',
				},
				{
					name: 'Custom Base URL',
					value: 'custom',
					description: 'A proxy in front of Tilled, or a local fake Tilled for testing',
				},
			],
			default: 'sandbox',
			description: 'Which Tilled API the key belongs to. Sandbox keys do not work in production, nor the reverse.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:4010',
			description: 'The base URL that replaces https://api.tilled.com, without /v1',
			displayOptions: { show: { environment: ['custom'] } },
		},
	];

	// A function, not a generic (expression) definition: n8n evaluates generic header expressions
	// on every request, which costs more CPU than the request itself.
	// A tilled-account the request already carries is kept: that is how a partner account's key
	// acts for one of its connected accounts (the triggers, for a connected account's event).
	authenticate: IAuthenticate = async (credentials, requestOptions) => {
		const headers = { ...requestOptions.headers };
		const given = Object.keys(headers).find((name) => name.toLowerCase() === 'tilled-account');
		const account = given === undefined ? undefined : headers[given];
		if (given !== undefined) delete headers[given];
		return {
			...requestOptions,
			headers: {
				...headers,
				'tilled-api-key': String(credentials.apiKey ?? ''),
				'tilled-account': typeof account === 'string' && account !== '' ? account : String(credentials.accountId ?? ''),
			},
		};
	};

	// Listing one session checks the key, the account and the checkout_sessions:read scope at once.
	test: ICredentialTestRequest = {
		request: {
			baseURL: baseUrlExpression,
			url: '/v1/checkout-sessions',
			method: 'GET',
			qs: { limit: 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Tilled rejected the API key (401). Check the key, and that the Environment matches it: sandbox keys work only with Sandbox, production keys only with Production.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The API key is valid but may not act for this Account ID (403). Check the Account ID, or give a restricted key the checkout_sessions:read and checkout_sessions:write scopes.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 400,
					message: 'Tilled refused the request (400): check that the Account ID is set and starts with acct_.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message: 'No Tilled API answers at this base URL (404). Check the Environment and the Base URL.',
				},
			},
		],
	};
}
