import type { TestProject } from 'vitest/node';
import { pgliteTemplate, postgresTemplate } from './templates.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** the gzip dump of a migrated embedded database (the unit suite) */
    pgliteTemplate: string | undefined;
    /** the name of a migrated template database on TEST_DATABASE_URL's server (the pg suite) */
    postgresTemplate: string | undefined;
  }
}

/** Makes the migrated template of this project's database once, before its files run (test/templates.ts). */
export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (project.name === 'pg' && url) {
    project.provide('postgresTemplate', await postgresTemplate(url));
    project.provide('pgliteTemplate', undefined);
  } else {
    project.provide('pgliteTemplate', await pgliteTemplate());
    project.provide('postgresTemplate', undefined);
  }
}
