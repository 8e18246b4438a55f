'use strict';

// Calibration for the benchmark only (loaded through N8N_CUSTOM_EXTENSIONS, never packed): the
// least work any node must do in n8n to Get one checkout session per input item. It reads one
// parameter per item (the same `{{ $json.id }}` expression) and sends one request per item
// through httpRequestWithAuthentication with the credential read once, all at once, and does
// nothing else: no checks, no retries, no limit, no error handling. What it costs is n8n's own
// cost for this work, which no node that follows n8n's rules can go below.
class TilledFloor {
	constructor() {
		this.description = {
			displayName: 'Tilled floor (benchmark calibration)',
			name: 'tilledFloor',
			group: ['transform'],
			version: 1,
			description: 'Benchmark calibration: one expression and one authenticated request per item, nothing else',
			defaults: { name: 'Tilled floor' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'tilledApi', required: true }],
			properties: [{ displayName: 'Checkout Session ID', name: 'checkoutSessionId', type: 'string', default: '' }],
		};
	}

	async execute() {
		const items = this.getInputData();
		const credentials = await this.getCredentials('tilledApi');
		const reference = this.getNode().credentials.tilledApi;
		const credentialsDecrypted = { id: reference.id, name: reference.name, type: 'tilledApi', data: credentials };
		const ids = items.map((_, itemIndex) => this.getNodeParameter('checkoutSessionId', itemIndex));
		const output = await Promise.all(
			ids.map(async (id, itemIndex) => ({
				json: await this.helpers.httpRequestWithAuthentication.call(
					this,
					'tilledApi',
					{ method: 'GET', url: `${credentials.baseUrl}/v1/checkout-sessions/${id}`, json: true },
					{ credentialsDecrypted },
				),
				pairedItem: { item: itemIndex },
			})),
		);
		return [output];
	}
}

module.exports = { TilledFloor };
