// Keeps docs/configuration.md and configs/conf.schema.json in step with BootstrapSchema (run `npm run gen:schema`
// after changing the schema), and checks that every field is described.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { ERROR_CODES } from '../../../core/errors.js';
import { DOC_FILE, fieldPaths, renderDoc, renderSchemaJson, SCHEMA_FILE } from '../../../scripts/gen-schema.js';

const doc = readFileSync(DOC_FILE, 'utf8');

t.test('configs/conf.schema.json is generated from BootstrapSchema', async (t) => {
  t.equal(readFileSync(SCHEMA_FILE, 'utf8'), renderSchemaJson(), 'run npm run gen:schema');
  const parsed = JSON.parse(renderSchemaJson()) as { $schema: string; properties: Record<string, unknown> };
  t.equal(parsed.$schema, 'https://json-schema.org/draft/2020-12/schema');
  t.ok(parsed.properties.static_resources);
});

t.test('the generated reference in docs/configuration.md is current', async (t) => {
  t.equal(doc, renderDoc(doc), 'run npm run gen:schema');
});

t.test('every schema field appears in the doc with a description', async (t) => {
  const fields = fieldPaths();
  t.ok(fields.length > 100, `${fields.length} fields`);
  for (const f of fields) {
    t.ok(doc.includes(`| \`${f.path}\` |`), `${f.path} is documented`);
    t.ok(typeof f.schema.description === 'string' && f.schema.description.length > 5, `${f.path} has a description`);
  }
  t.ok(doc.includes('`static_resources.clusters[].endpoints[].llm_meta.retry_policy.config`'));
});

t.test('every config error code is explained in the doc', async (t) => {
  const codes = Object.keys(ERROR_CODES).filter((c) => c.startsWith('DGP_ERR_CONFIG_'));
  for (const code of codes) {
    const short = code.replace('DGP_ERR_CONFIG', '');
    t.ok(doc.includes(code) || doc.includes(`\`${short}\``), `${code} is in docs/configuration.md`);
  }
});
