/**
 * DateTime and Long: their coercion. Hand-written rather than taken from graphql-scalars because the
 * appliance's values don't fit those: its timestamps carry no zone and have microseconds (a
 * Date-based scalar would reject or truncate them), and USNs are int64 (a Long must pass values past
 * 2^53 exactly, so it is always a string on output). Descriptions and `@specifiedBy` live in
 * schema/scalars.graphql, the one place clients and codegen read them from.
 */
import { ErrorCode } from '../errors/catalogue';
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { toUtcIso } from '../upstream/time';

/**
 * graphql-tools copies every enumerable property of a resolver scalar over the SDL's type, an
 * undefined description or specifiedByURL included: drop them so that the SDL's stay.
 */
function coercionOnly<T extends GraphQLScalarType<string, string>>(scalar: T): T {
  for (const key of ['description', 'specifiedByURL', 'astNode', 'extensionASTNodes']) Reflect.deleteProperty(scalar, key);
  return scalar;
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string') throw badInput(`DateTime must be an ISO-8601 string, got ${typeof value}`);
  try {
    return toUtcIso(value);
  } catch (error) {
    throw badInput(`Invalid DateTime: ${(error as Error).message}`);
  }
}

export const DateTimeScalar = coercionOnly(
  new GraphQLScalarType<string, string>({
    name: 'DateTime',
    serialize(value) {
      if (value instanceof Date) return toUtcIso(value);
      if (typeof value !== 'string') throw new GraphQLError(`DateTime cannot represent ${typeof value}`);
      return toUtcIso(value);
    },
    parseValue: parseDateTime,
    parseLiteral(ast: ValueNode) {
      if (ast.kind !== Kind.STRING) throw badInput('DateTime must be a string literal such as "2026-01-31T12:00:00Z"');
      return parseDateTime(ast.value);
    },
  }),
);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Validates an int64 and returns its canonical decimal string. */
function parseLong(value: unknown): string {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw badInput(`Long must be an integer within ±(2^53 - 1) when given as a number (use a string beyond), got ${value}`);
    }
    text = String(value);
  } else if (typeof value === 'string' && /^-?\d{1,19}$/.test(value.trim())) {
    text = value.trim();
  } else {
    throw badInput(`Long must be a 64-bit integer (a number or a decimal string), got ${JSON.stringify(value)}`);
  }
  const big = BigInt(text);
  if (big < INT64_MIN || big > INT64_MAX) throw badInput(`Long is out of the 64-bit range: ${text}`);
  return big.toString();
}

export const LongScalar = coercionOnly(
  new GraphQLScalarType<string, string>({
    name: 'Long',
    // Always a string: a JSON number past 2^53 silently loses digits in every JavaScript client.
    serialize(value) {
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value).toString();
      throw new GraphQLError(`Long cannot represent ${JSON.stringify(value)}`);
    },
    parseValue: parseLong,
    parseLiteral(ast: ValueNode) {
      if (ast.kind === Kind.INT || ast.kind === Kind.STRING) {
        return parseLong(ast.kind === Kind.INT && Number.isSafeInteger(Number(ast.value)) ? Number(ast.value) : ast.value);
      }
      throw badInput('Long must be an integer literal or a decimal string');
    },
  }),
);
