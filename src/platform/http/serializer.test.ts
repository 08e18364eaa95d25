import { describe, expect, it } from 'vitest';
import { buildSerializerFactory, lazySerializerFactory } from './serializer.ts';

const shared = {
  Money: { $id: 'Money', type: 'object', properties: { fen: { type: 'string' } } },
  Line: {
    $id: 'Line',
    type: 'object',
    properties: { name: { type: 'string' }, price: { $ref: 'Money#' } },
  },
  // Never referenced by the first route: its build must not check it (Fastify's default build checks every shared
  // schema for every route and refuses this one, whatever the route refers to).
  Invalid: { $id: 'Invalid', type: 'object', properties: { x: { type: 'no-such-type' } } },
};

describe('response serializers built with only the shared schemas they refer to', () => {
  const compile = buildSerializerFactory(shared, {});

  it('serializes through references, transitively, and drops what the schema does not name', () => {
    const serialize = compile({
      schema: { type: 'object', properties: { lines: { type: 'array', items: { $ref: 'Line#' } } } },
    });
    const text = serialize({ lines: [{ name: '云主机', price: { fen: '12345', secret: 'x' }, passwordHash: 'y' }] });
    expect(JSON.parse(text)).toEqual({ lines: [{ name: '云主机', price: { fen: '12345' } }] });
  });

  it('still checks the shared schemas a route refers to', () => {
    expect(() => compile({ schema: { type: 'object', properties: { y: { $ref: 'Invalid#' } } } })).toThrow(
      /Invalid" schema is invalid/,
    );
  });
});

describe('serializers built at first use', () => {
  it('answer as the eager ones do, and a refused schema shows at its first answer, not before', () => {
    const compile = lazySerializerFactory(shared, {});
    const serialize = compile({ schema: { type: 'object', properties: { line: { $ref: 'Line#' } } } });
    expect(JSON.parse(serialize({ line: { name: '云主机', price: { fen: '1' }, extra: 1 } }))).toEqual({
      line: { name: '云主机', price: { fen: '1' } },
    });
    const broken = compile({ schema: { type: 'object', properties: { y: { $ref: 'Invalid#' } } } });
    expect(() => broken({ y: 1 })).toThrow(/Invalid" schema is invalid/);
  });
});
