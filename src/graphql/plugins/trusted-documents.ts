/**
 * Trusted documents (persisted operations): the operations a team's clients were built with, from
 * a manifest made at build time, looked up by id or hash.
 *
 * Two manifest formats are read:
 * - graphql-codegen's client preset (`persistedDocuments: true`): `persisted-documents.json`,
 *   `{ "<sha256 hash>": "<document>" }`;
 * - Apollo's persisted query list (`generate-persisted-query-manifest`):
 *   `{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ id, name, type, body }] }`.
 *
 * A request names a document by `documentId` (body or query string, as the codegen docs show), by
 * `extensions.persistedQuery.sha256Hash` (Apollo Client's persisted-queries link, urql's
 * persistedExchange) or by `extensions.documentId`; a full `query` is matched by its SHA-256.
 * Modes: `allow` runs listed documents by id and anything else as usual; `require` runs ONLY
 * listed documents and refuses everything else before Apollo parses, validates or executes
 * anything (so before any upstream call).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ApolloServerPlugin, GraphQLRequest, HTTPGraphQLRequest } from '@apollo/server';
import { Kind, parse, type GraphQLError } from 'graphql';
import { ErrorCode, type PublicErrorCode, statusOf } from '../../errors/catalogue';
import { publicError } from '../errors';

export type TrustedDocumentsMode = 'off' | 'allow' | 'require';

export interface TrustedDocument {
  /** The manifest's id for it (codegen: the hash key; Apollo: `id`). */
  id: string;
  body: string;
  /** The name of its (first) operation, for logs and metrics; undefined for an anonymous one. */
  name: string | undefined;
}

const APOLLO_MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function operationNameOf(body: string, id: string, source: string): string | undefined {
  let document;
  try {
    document = parse(body);
  } catch (error) {
    throw new Error(`${source}: document ${id} is not valid GraphQL: ${(error as Error).message}`);
  }
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error(`${source}: document ${id} has no operation`);
  return operation.name?.value;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The documents of a manifest in either format; throws, naming the source, on anything else. */
export function parseManifest(json: unknown, source: string): TrustedDocument[] {
  if (!isRecord(json)) throw new Error(`${source}: a trusted-documents manifest must be a JSON object`);
  if (json['format'] === APOLLO_MANIFEST_FORMAT) {
    if (json['version'] !== 1) throw new Error(`${source}: only version 1 of ${APOLLO_MANIFEST_FORMAT} is supported`);
    const operations = json['operations'];
    if (!Array.isArray(operations)) throw new Error(`${source}: "operations" must be an array`);
    return operations.map((entry: unknown, index) => {
      if (!isRecord(entry) || typeof entry['id'] !== 'string' || typeof entry['body'] !== 'string') {
        throw new Error(`${source}: operations[${index}] needs a string id and body`);
      }
      const name = typeof entry['name'] === 'string' ? entry['name'] : operationNameOf(entry['body'], entry['id'], source);
      return { id: entry['id'], body: entry['body'], name };
    });
  }
  return Object.entries(json).map(([id, body]) => {
    if (typeof body !== 'string') throw new Error(`${source}: the value of ${id} must be a GraphQL document (a string)`);
    return { id, body, name: operationNameOf(body, id, source) };
  });
}

/** The manifest, indexed by its ids and by the SHA-256 of each body (what APQ-style clients send). */
export class TrustedDocuments {
  private readonly byKey = new Map<string, TrustedDocument>();

  constructor(documents: readonly TrustedDocument[]) {
    for (const document of documents) {
      this.byKey.set(document.id, document);
      this.byKey.set(sha256(document.body), document);
    }
  }

  /** The names of the manifest's operations: the metric labels operations are counted under. */
  get operationNames(): string[] {
    return [...new Set([...this.byKey.values()].flatMap((document) => (document.name ? [document.name] : [])))];
  }

  /** A document by its manifest id or the SHA-256 (hex) of its body. */
  lookup(idOrHash: string): TrustedDocument | undefined {
    return this.byKey.get(idOrHash) ?? this.byKey.get(idOrHash.replace(/^sha256:/, ''));
  }

  /** A full document sent as `query`, if it is one of the manifest's. */
  match(query: string): TrustedDocument | undefined {
    return this.byKey.get(sha256(query));
  }
}

export function loadTrustedDocuments(path: string): TrustedDocuments {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`TRUSTED_DOCUMENTS_FILE (${path}) cannot be read as JSON: ${(error as Error).message}`);
  }
  return new TrustedDocuments(parseManifest(json, `TRUSTED_DOCUMENTS_FILE (${path})`));
}

/** What a request says about its document, whatever the transport spelled it as. */
interface DocumentRequest {
  id: string | undefined;
  query: string | undefined;
  /** Apollo's APQ registration: a hash sent with its query. */
  apqRegistration: boolean;
}

function describe(query: unknown, extensions: unknown, documentId: unknown): DocumentRequest {
  const ext = isRecord(extensions) ? extensions : {};
  const persisted = ext['persistedQuery'];
  const hash = isRecord(persisted) && typeof persisted['sha256Hash'] === 'string' ? persisted['sha256Hash'] : undefined;
  const id =
    hash ??
    (typeof ext['documentId'] === 'string' ? ext['documentId'] : undefined) ??
    (typeof documentId === 'string' ? documentId : undefined);
  const text = typeof query === 'string' && query !== '' ? query : undefined;
  return { id, query: text, apqRegistration: hash !== undefined && text !== undefined };
}

function fromGraphQLRequest(request: GraphQLRequest): DocumentRequest {
  const body: unknown = request.http?.body;
  const documentId = (isRecord(body) ? body['documentId'] : undefined) ?? new URLSearchParams(request.http?.search ?? '').get('documentId');
  return describe(request.query, request.extensions, documentId);
}

function jsonOrUndefined(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // Apollo answers a malformed parameter itself
  }
}

function fromHttpRequest(request: HTTPGraphQLRequest): DocumentRequest {
  if (request.method === 'GET') {
    const search = new URLSearchParams(request.search);
    return describe(search.get('query'), jsonOrUndefined(search.get('extensions')), search.get('documentId'));
  }
  const body = isRecord(request.body) ? request.body : {};
  return describe(body['query'], body['extensions'], body['documentId']);
}

type Decision = { run: TrustedDocument } | { refuse: GraphQLError } | 'as-usual';

function decide(mode: Exclude<TrustedDocumentsMode, 'off'>, documents: TrustedDocuments, request: DocumentRequest): Decision {
  if (request.id !== undefined) {
    const document = documents.lookup(request.id);
    if (document) return { run: document };
    // An APQ registration in `allow` mode is Apollo's to handle (it stores the hash).
    if (mode === 'allow' && request.apqRegistration) return 'as-usual';
    return {
      refuse: refusal(ErrorCode.PERSISTED_QUERY_NOT_FOUND, `No trusted document has the id ${JSON.stringify(request.id.slice(0, 80))}.`),
    };
  }
  const document = request.query === undefined ? undefined : documents.match(request.query);
  if (document) return { run: document };
  if (mode === 'require') {
    return {
      refuse: refusal(
        ErrorCode.OPERATION_NOT_TRUSTED,
        'Only trusted documents run here (TRUSTED_DOCUMENTS=require): send the id of a listed operation as documentId or extensions.persistedQuery.sha256Hash.',
      ),
    };
  }
  return 'as-usual';
}

function refusal(code: PublicErrorCode, message: string): GraphQLError {
  return publicError(code, message, { http: { status: statusOf(code) } });
}

/**
 * The refusal of a request in front of Apollo, or undefined to let it through. Apollo's plugin hooks
 * cannot answer a request before parsing (an error thrown there becomes a 500), so the refusal is
 * made here, on the HTTP request, and the plugin below only swaps the listed text in.
 */
export function trustedDocumentRefusal(
  mode: Exclude<TrustedDocumentsMode, 'off'>,
  documents: TrustedDocuments,
  request: HTTPGraphQLRequest,
): GraphQLError | undefined {
  const decision = decide(mode, documents, fromHttpRequest(request));
  return typeof decision === 'object' && 'refuse' in decision ? decision.refuse : undefined;
}

/**
 * The same decision for a transport outside Apollo (live updates over SSE and WebSocket): the text to
 * run (the manifest's for a listed id), or the refusal.
 */
export function trustedDocumentFor(
  mode: Exclude<TrustedDocumentsMode, 'off'>,
  documents: TrustedDocuments,
  params: { query?: unknown; extensions?: unknown; documentId?: unknown },
): { query: unknown } | { refuse: GraphQLError } {
  const decision = decide(mode, documents, describe(params.query, params.extensions, params.documentId));
  if (decision === 'as-usual') return { query: params.query };
  return 'refuse' in decision ? decision : { query: decision.run.body };
}

/** Runs listed documents by id: the manifest's text replaces whatever was sent with the id. */
export function useTrustedDocuments<TContext extends object>(
  mode: Exclude<TrustedDocumentsMode, 'off'>,
  documents: TrustedDocuments,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ request }) {
      const decision = decide(mode, documents, fromGraphQLRequest(request));
      if (typeof decision !== 'object' || !('run' in decision)) return;
      request.query = decision.run.body;
      // Apollo's own APQ store is not consulted for a listed document.
      if (request.extensions) delete request.extensions['persistedQuery'];
    },
  };
}
