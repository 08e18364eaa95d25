// npm run build:template (part of `npm ci`'s prepare): the embedded databases a first start copies
// (src/platform/db/embedded-template.ts): migrated, and migrated with the demo seeded as `npm start` seeds it.
import {
  buildEmbeddedTemplate,
  DEMO_TEMPLATE_DIR,
  EMBEDDED_TEMPLATE_DIR,
} from '../src/platform/db/embedded-template.ts';
import { seedDemo } from '../src/seed.ts';

const started = performance.now();
const applied = await buildEmbeddedTemplate(EMBEDDED_TEMPLATE_DIR);
await buildEmbeddedTemplate(DEMO_TEMPLATE_DIR, {
  from: EMBEDDED_TEMPLATE_DIR,
  prepare: async (db) => {
    await seedDemo(db, () => {}, { activity: true });
  },
});
process.stderr.write(
  `embedded database templates (${applied.length} migrations, demo seeded) in ${Math.round(performance.now() - started)} ms\n`,
);
