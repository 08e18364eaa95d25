/**
 * Every route declares who may call it, next to the route, in `config.permission`. Until the
 * identity module lands, the only value is `public`: reachable without a session.
 */
export type Permission = 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
  }
}
