'use strict';

/**
 * What the editor should show for the node, derived from its description object: the labels of
 * the top-level parameters n8n displays for a set of parameter values, and the options of its
 * collections. Only the displayOptions features the node uses are evaluated (`show` and `hide`
 * with value lists, keys relative to the parameter's level or absolute with a leading "/");
 * anything else throws, so a new feature cannot be silently mis-evaluated.
 */

const SUPPORTED_CONDITION_KEYS = new Set(['show', 'hide']);

function checkDisplayOptions(property) {
	const { displayOptions } = property;
	if (!displayOptions) return;
	for (const [kind, conditions] of Object.entries(displayOptions)) {
		if (!SUPPORTED_CONDITION_KEYS.has(kind)) {
			throw new Error(`${property.name}: displayOptions.${kind} is not evaluated by this test; extend expected-labels.js`);
		}
		for (const [key, allowed] of Object.entries(conditions)) {
			if (!Array.isArray(allowed) || allowed.some((value) => value !== null && typeof value === 'object')) {
				throw new Error(`${property.name}: displayOptions.${kind}.${key} uses conditions this test does not evaluate`);
			}
		}
	}
}

/** The value a displayOptions key refers to: "/name" from the root, "name" from `siblings`. */
function lookup(key, rootValues, siblingValues) {
	return key.startsWith('/') ? rootValues[key.slice(1)] : siblingValues[key];
}

/** Whether n8n displays `property` given the node's values (root) and its own level's values. */
function isDisplayed(property, rootValues, siblingValues = rootValues) {
	if (property.type === 'hidden') return false;
	checkDisplayOptions(property);
	const { show, hide } = property.displayOptions ?? {};
	for (const [key, allowed] of Object.entries(show ?? {})) {
		if (!allowed.includes(lookup(key, rootValues, siblingValues))) return false;
	}
	for (const [key, denied] of Object.entries(hide ?? {})) {
		if (denied.includes(lookup(key, rootValues, siblingValues))) return false;
	}
	return true;
}

/** Top-level parameter values: every default, then `overrides`. */
function nodeValues(description, overrides) {
	const values = {};
	for (const property of description.properties) values[property.name] = property.default;
	return { ...values, ...overrides };
}

/** The top-level properties n8n shows for `overrides` (e.g. `{ operation: 'get' }`), in order. */
function displayedProperties(description, overrides) {
	const values = nodeValues(description, overrides);
	return description.properties.filter((property) => isDisplayed(property, values));
}

/** The options of a collection that its "Add …" list offers for those node values. */
function collectionOptions(description, collectionName, overrides) {
	// Each operation may have its own collection of one name (Options): take the one shown.
	const values = nodeValues(description, overrides);
	const collection = description.properties.find(
		(property) => property.name === collectionName && isDisplayed(property, values),
	);
	if (!collection || collection.type !== 'collection') throw new Error(`${collectionName} is not a collection shown for these values`);
	return collection.options.filter((option) => isDisplayed(option, values, {}));
}

/** Option names of an options / multiOptions parameter, in description order. */
function optionNames(property) {
	return (property.options ?? []).map((option) => option.name);
}

/**
 * Every top-level property and every collection option, as `{ path, property }` (path "name" or
 * "collection.option"; two operations may each have a property of the same name).
 */
function everyParameter(description) {
	const entries = [];
	for (const property of description.properties) {
		if (property.type === 'hidden') continue;
		entries.push({ path: property.name, property });
		if (property.type === 'collection') {
			for (const option of property.options) entries.push({ path: `${property.name}.${option.name}`, property: option });
		}
	}
	return entries;
}

module.exports = { isDisplayed, nodeValues, displayedProperties, collectionOptions, optionNames, everyParameter };
