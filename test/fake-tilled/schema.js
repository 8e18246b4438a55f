'use strict';

/**
 * Loads checkout-sessions.schema.json into ajv and turns ajv errors into Tilled-style
 * (class-validator-like) messages such as
 * "line_items.0.price_data.unit_amount must not be less than 1".
 *
 * The schema uses one custom keyword, `maxDecimalPlaces` (number of decimal places allowed on a
 * number). Anyone compiling the schema with their own ajv must call `addFakeTilledKeywords(ajv)`,
 * or simply use `createAjv()` from here.
 */

const Ajv = require('ajv').default;
const addFormats = require('ajv-formats').default;

/** @type {any} */
const SCHEMA = require('./checkout-sessions.schema.json');

const SCHEMA_ID = SCHEMA.$id;

/** Names of the definitions under `$defs` that are meant to be used directly. */
const DEFS = Object.freeze({
  createParams: 'CheckoutSessionCreateParams',
  session: 'CheckoutSession',
  list: 'CheckoutSessionList',
  listQuery: 'CheckoutSessionListQuery',
  headers: 'RequestHeaders',
});

/** @param {string} defName @returns {string} the `$ref` to a definition, e.g. for ajv.getSchema */
function schemaRef(defName) {
  return `${SCHEMA_ID}#/$defs/${defName}`;
}

/**
 * True when `value` has at most `places` decimal places, tolerant of binary float error
 * (0.1 + 0.2 style): 1.0001 passes for 4 places, 1.00001 does not.
 * @param {number} value
 * @param {number} places
 */
function hasAtMostDecimalPlaces(value, places) {
  const scaled = value * 10 ** places;
  if (!Number.isFinite(scaled)) return false;
  return Math.abs(scaled - Math.round(scaled)) < 1e-7;
}

/** @param {import('ajv').default} ajv */
function addFakeTilledKeywords(ajv) {
  if (!ajv.getKeyword('maxDecimalPlaces')) {
    /** @param {number} places @param {number} data */
    const checkDecimalPlaces = function checkDecimalPlaces(places, data) {
      if (hasAtMostDecimalPlaces(data, places)) return true;
      /** @type {any} */ (checkDecimalPlaces).errors = [
        {
          keyword: 'maxDecimalPlaces',
          params: { limit: places },
          message: `must have at most ${places} decimal places`,
        },
      ];
      return false;
    };
    ajv.addKeyword({
      keyword: 'maxDecimalPlaces',
      type: 'number',
      schemaType: 'number',
      errors: true,
      validate: checkDecimalPlaces,
    });
  }
  return ajv;
}

/**
 * A fresh ajv with formats, the custom keyword and the schema registered.
 * @param {{ coerceTypes?: boolean }} [options] coerceTypes: for query strings ("10" -> 10)
 */
function createAjv(options = {}) {
  const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: Boolean(options.coerceTypes) });
  addFormats(ajv);
  addFakeTilledKeywords(ajv);
  ajv.addSchema(SCHEMA);
  return ajv;
}

/** @type {Map<string, import('ajv').ValidateFunction>} */
const cache = new Map();
/** @type {{ plain?: import('ajv').default, coercing?: import('ajv').default }} */
const ajvs = {};

/**
 * Compiled validator for a definition (cached). The list-query validator coerces strings to
 * integers in place: give it a copy of the parsed query.
 * @param {string} defName e.g. 'CheckoutSessionCreateParams' (see DEFS)
 * @returns {import('ajv').ValidateFunction}
 */
function getValidator(defName) {
  let validate = cache.get(defName);
  if (!validate) {
    const coercing = defName === DEFS.listQuery;
    const key = coercing ? 'coercing' : 'plain';
    const ajv = ajvs[key] || (ajvs[key] = createAjv({ coerceTypes: coercing }));
    validate = ajv.getSchema(schemaRef(defName));
    if (!validate) throw new Error(`fake-tilled schema has no definition ${defName}`);
    cache.set(defName, validate);
  }
  return validate;
}

/**
 * Validators for another schema file of the fake, whose `$ref`s may point into
 * checkout-sessions.schema.json (Currency, DateTime, Metadata). `coerce`: the query flavour,
 * which turns strings into integers and booleans in place (give it a copy).
 * @param {any} schema a schema with an `$id` and `$defs`
 * @returns {(defName: string, coerce?: boolean) => import('ajv').ValidateFunction}
 */
function createValidators(schema) {
  const plain = createAjv();
  const coercing = createAjv({ coerceTypes: true });
  plain.addSchema(schema);
  coercing.addSchema(schema);
  return (defName, coerce = false) => {
    const validate = (coerce ? coercing : plain).getSchema(`${schema.$id}#/$defs/${defName}`);
    if (!validate) throw new Error(`${schema.$id} has no definition ${defName}`);
    return validate;
  };
}

/** @param {string} pointer JSON pointer such as /line_items/0/quantity */
function pointerToPath(pointer) {
  if (!pointer) return '';
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** @param {string} base @param {string|number} name */
function join(base, name) {
  return base ? `${base}.${name}` : String(name);
}

const TYPE_WORDS = {
  string: 'must be a string',
  integer: 'must be an integer number',
  number: 'must be a number conforming to the specified constraints',
  object: 'must be an object',
  array: 'must be an array',
  boolean: 'must be a boolean value',
  null: 'must be null',
};

/**
 * Human readable messages naming the field path, deduplicated, in ajv's order.
 * @param {import('ajv').ErrorObject[] | null | undefined} errors
 * @param {string} [rootName] how to name the whole value when an error is about it ('body')
 * @returns {string[]}
 */
function formatErrors(errors, rootName = 'body') {
  /** @type {Set<string>} */
  const out = new Set();
  for (const error of errors || []) {
    const path = pointerToPath(error.instancePath);
    const subject = path || rootName;
    /** @type {any} */
    const params = error.params;
    /** @type {any} */
    const extra = error;
    if (extra.propertyName !== undefined) {
      // an error about a key inside propertyNames
      const key = JSON.stringify(String(extra.propertyName));
      if (error.keyword === 'maxLength') {
        out.add(`${subject} key ${key} must be shorter than or equal to ${params.limit} characters`);
      } else {
        out.add(`${subject} key ${key} ${error.message}`);
      }
      continue;
    }
    switch (error.keyword) {
      case 'propertyNames':
        break; // reported through the inner error above
      case 'required':
        out.add(`${join(path, params.missingProperty)} should not be empty`);
        break;
      case 'additionalProperties':
        out.add(`property ${join(path, params.additionalProperty)} should not exist`);
        break;
      case 'type':
        out.add(`${subject} ${TYPE_WORDS[/** @type {keyof TYPE_WORDS} */ (params.type)] || `must be of type ${params.type}`}`);
        break;
      case 'enum':
        out.add(`${subject} must be one of the following values: ${params.allowedValues.join(', ')}`);
        break;
      case 'minimum':
        out.add(`${subject} must not be less than ${params.limit}`);
        break;
      case 'maximum':
        out.add(`${subject} must not be greater than ${params.limit}`);
        break;
      case 'minLength':
        out.add(
          params.limit === 1
            ? `${subject} should not be empty`
            : `${subject} must be longer than or equal to ${params.limit} characters`,
        );
        break;
      case 'maxLength':
        out.add(`${subject} must be shorter than or equal to ${params.limit} characters`);
        break;
      case 'minItems':
        out.add(`${subject} must contain at least ${params.limit} elements`);
        break;
      case 'maxItems':
        out.add(`${subject} must contain no more than ${params.limit} elements`);
        break;
      case 'maxProperties':
        out.add(`${subject} must not have more than ${params.limit} keys`);
        break;
      case 'format':
        if (params.format === 'date-time') out.add(`${subject} must be a valid ISO 8601 date string`);
        else if (params.format === 'uri') out.add(`${subject} must be an http or https URL address`);
        else out.add(`${subject} must match format ${params.format}`);
        break;
      case 'pattern':
        if (String(params.pattern).startsWith('^[Hh][Tt][Tt][Pp]')) {
          out.add(`${subject} must be an http or https URL address`);
        } else {
          out.add(`${subject} must match ${params.pattern} regular expression`);
        }
        break;
      case 'maxDecimalPlaces':
        out.add(`${subject} must have at most ${params.limit} decimal places`);
        break;
      default:
        out.add(`${subject} ${error.message}`);
    }
  }
  return [...out];
}

module.exports = {
  SCHEMA,
  SCHEMA_ID,
  DEFS,
  schemaRef,
  createAjv,
  createValidators,
  addFakeTilledKeywords,
  getValidator,
  formatErrors,
  hasAtMostDecimalPlaces,
};
