/**
 * The vendored 1.0-rev0 spec excerpt as ajv validators, one schema set per API revision: the pure
 * spec for 1.0-rev0, and for later revisions the spec plus a small overlay of what they add. Objects
 * are closed (no properties beyond the revision's), so a field a revision lacks cannot slip through.
 * The revision facts are restated here rather than read from the simulator: this is its oracle.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export const SPEC_PATH = join(__dirname, '../../src/upstream/spec/openapi-1.0-rev0.json');

export const REVISIONS = [
  '1.0-rev0',
  '1.1-rev0',
  '1.2-rev0',
  '1.3-rev0',
  '1.4-rev0',
  '1.5-rev0',
  '1.5-rev1',
  '1.6-rev0',
  '1.7-rev0',
  '1.8-rev0',
] as const;
export type Revision = (typeof REVISIONS)[number];

export const atLeast = (revision: Revision, from: Revision): boolean => REVISIONS.indexOf(revision) >= REVISIONS.indexOf(from);

type Json = null | boolean | number | string | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json;
}

interface MediaType {
  schema?: { $ref?: string };
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonObject> };
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadSpec(): Spec {
  const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Json;
  if (!isObject(spec) || !isObject(spec['paths']) || !isObject(spec['components']) || !isObject(spec['components']['schemas'])) {
    throw new Error(`${SPEC_PATH} is not an OpenAPI document with paths and component schemas`);
  }
  return spec as unknown as Spec;
}

/**
 * OpenAPI 3.0 Schema Objects to JSON Schema: refs into `definitions`, boolean exclusive bounds to
 * numeric ones, vendor extensions dropped, `type: object` made explicit, and every object closed.
 */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') out[key] = value.replace('#/components/schemas/', '#/definitions/');
    else if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema)]));
    } else out[key] = toJsonSchema(value);
  }
  for (const [flag, bound] of [
    ['exclusiveMaximum', 'maximum'],
    ['exclusiveMinimum', 'minimum'],
  ] as const) {
    if (out[flag] === true) {
      out[flag] = out[bound] ?? null;
      delete out[bound];
    } else if (out[flag] === false) delete out[flag];
  }
  if (isObject(out['properties'])) {
    out['type'] ??= 'object';
    out['additionalProperties'] ??= false;
  }
  return out;
}

type Definitions = Record<string, JsonObject>;

function definition(defs: Definitions, name: string): JsonObject {
  const schema = defs[name];
  if (!schema) throw new Error(`the spec has no schema ${name}`);
  return schema;
}

function addProperties(schema: JsonObject, properties: JsonObject): void {
  if (!isObject(schema['properties'])) throw new Error('not an object schema');
  Object.assign(schema['properties'], properties);
}

/** Where the excerpt is wrong about what every appliance sends, whatever the revision. */
const CORRECTIONS: ReadonlyArray<{ why: string; apply(defs: Definitions): void }> = [
  {
    why: 'session and log times are written without a zone (the verbatim Help Center sample: 2020-06-19T04:00:05.901095), which RFC 3339 date-time refuses',
    apply: (defs) => {
      for (const [name, fields] of [
        ['Session', ['executionStartTime', 'executionStopTime']],
        ['LogItem', ['logTime', 'executionStartTime']],
      ] as const) {
        const properties = definition(defs, name)['properties'];
        for (const field of fields) {
          const property = isObject(properties) ? properties[field] : undefined;
          if (!isObject(property) || property['format'] !== 'date-time') throw new Error(`${name}.${field} is not a date-time`);
          property['format'] = 'iso-date-time';
        }
      }
    },
  },
];

/** What later revisions add to the 1.0-rev0 schemas (src/upstream/spec and its x-later-revision-facts), applied from that revision on. */
const OVERLAY: ReadonlyArray<{ from: Revision; why: string; apply(defs: Definitions): void }> = [
  {
    from: '1.5-rev0',
    why: 'newer appliances name the session and its extended type (the simulator gates both at 1.5-rev0)',
    apply: (defs) => addProperties(definition(defs, 'Session'), { name: { type: 'string' }, extendedSessionType: { type: 'string' } }),
  },
  {
    from: '1.7-rev0',
    why: 'the 1.7-rev0 reference adds five session types',
    apply: (defs) => {
      const types = definition(defs, 'SessionTypes')['enum'];
      if (!Array.isArray(types)) throw new Error('SessionTypes has no enum');
      types.push('ConfigurationBackupActivity', 'ArchiveRetrieval', 'ArchiveRetrievalProlongation', 'ManualTask', 'FlrEfsTask');
    },
  },
  {
    from: '1.8-rev0',
    why: "1.8-rev0 list samples carry the page's offset and limit",
    apply: (defs) => {
      for (const page of ['SessionsPage', 'ProtectedItemsPage']) {
        addProperties(definition(defs, page), {
          offset: { type: 'integer', format: 'int32' },
          limit: { type: 'integer', format: 'int32' },
        });
      }
    },
  },
];

export interface Verdict {
  /** Where the schema came from: `<status> <schema>`, or `fallback Error` when the spec lists no such status for the path. */
  schema: string;
  errors: string[];
}

/** Validators for every revision, and the lookup of the schema the spec names for a response. */
export class SpecSchemas {
  private readonly spec = loadSpec();
  private readonly ajv = new Ajv({ allErrors: true, strict: true });

  constructor() {
    addFormats(this.ajv);
    const base = toJsonSchema(this.spec.components.schemas as unknown as Json);
    if (!isObject(base)) throw new Error('component schemas are not an object');
    for (const revision of REVISIONS) {
      const defs = structuredClone(base) as unknown as Definitions;
      for (const correction of CORRECTIONS) correction.apply(defs);
      for (const addition of OVERLAY) if (atLeast(revision, addition.from)) addition.apply(defs);
      this.ajv.addSchema({ $id: this.id(revision), definitions: defs as unknown as JsonObject });
    }
  }

  /** The validator of one component schema at one revision. */
  schema(revision: Revision, name: string): ValidateFunction {
    const validate = this.ajv.getSchema(`${this.id(revision)}#/definitions/${name}`);
    if (!validate) throw new Error(`no schema ${name}`);
    return validate;
  }

  /**
   * Validates a response body against the schema the spec names for that path, method, status and
   * media type. The excerpt's per-path status lists are incomplete (its own apiVersion problems are
   * 400s on every path, yet GET /sessions/{id} lists no 400): a problem with a status the path does
   * not list is held to the Error schema that every problem shares.
   */
  check(revision: Revision, method: string, template: string, status: number, contentType: string, body: unknown): Verdict {
    const operation = this.spec.paths[template]?.[method.toLowerCase()];
    if (!operation) return { schema: '-', errors: [`the spec has no ${method} ${template}`] };
    const mediaType = contentType.split(';')[0]?.trim() ?? '';
    const response = operation.responses[String(status)];
    if (!response) {
      if (status < 400) return { schema: '-', errors: [`the spec lists no ${status} for ${method} ${template}`] };
      if (mediaType !== 'application/problem+json') return { schema: 'fallback Error', errors: [`a problem sent as ${mediaType}`] };
      return this.verdict('fallback Error', this.schema(revision, 'Error'), body);
    }
    const ref = response.content?.[mediaType]?.schema?.$ref;
    if (ref === undefined) return { schema: '-', errors: [`the spec has no ${mediaType} body for ${status} of ${method} ${template}`] };
    const name = ref.replace('#/components/schemas/', '');
    return this.verdict(`${status} ${name}`, this.schema(revision, name), body);
  }

  private verdict(schema: string, validate: ValidateFunction, body: unknown): Verdict {
    if (validate(body)) return { schema, errors: [] };
    return {
      schema,
      errors: (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`),
    };
  }

  private id(revision: Revision): string {
    return `https://simulator.test/vbaws/${revision}/schemas.json`;
  }
}
