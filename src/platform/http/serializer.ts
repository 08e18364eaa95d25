import fastJsonStringify from 'fast-json-stringify';

type Schema = Record<string, unknown>;
type Serialize = (data: unknown) => string;

/** Every `$ref` target's schema id in a schema, transitively through the shared schemas it names. */
function referencedIds(root: unknown, shared: Record<string, Schema>): Set<string> {
  const ids = new Set<string>();
  const stack: unknown[] = [root];
  const seen = new WeakSet<object>();
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') {
        const id = child.split('#')[0] ?? '';
        if (id && !ids.has(id) && shared[id]) {
          ids.add(id);
          stack.push(shared[id]);
        }
      } else if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return ids;
}

/**
 * Fastify's response serializers, built with fast-json-stringify as Fastify's own compiler does, but each given
 * only the shared schemas its response schema refers to. The default passes every shared schema to every route's
 * build, and fast-json-stringify re-checks each one (depth walks and a meta-schema validation) per build: with
 * ~400 routes and ~200 shared schemas that was most of the app's start-up (issue 24, first start), and of every
 * test file's. The output is the same: a serializer never sees a schema it does not refer to.
 */
export function buildSerializerFactory(shared?: unknown, options?: fastJsonStringify.Options) {
  const all = (shared ?? {}) as Record<string, Schema>;
  return (route: { schema?: unknown }): Serialize => {
    const schema = (route.schema ?? {}) as Schema;
    const ids = referencedIds(schema, all);
    if (typeof schema.$id === 'string') ids.delete(schema.$id);
    const own: Record<string, Schema> = {};
    for (const id of ids) own[id] = all[id] as Schema;
    const build = fastJsonStringify as unknown as (schema: unknown, options: unknown) => Serialize;
    return build(schema, { ...options, schema: own });
  };
}

/**
 * The same serializers, each built the first time its route answers with that status: a server that starts
 * does not build ~1,000 serializers before it listens (about 1 s of a first start), only those it uses. A
 * response schema fast-json-stringify refuses then fails its first answer instead of the start, so the test
 * suite builds the application once with every serializer built up front (`test/permissions.test.ts`).
 */
export function lazySerializerFactory(shared?: unknown, options?: fastJsonStringify.Options) {
  const build = buildSerializerFactory(shared, options);
  return (route: { schema?: unknown }): Serialize => {
    let serialize: Serialize | undefined;
    return (data) => {
      serialize ??= build(route);
      return serialize(data);
    };
  };
}
