/** Every variable the gateway reads is documented in the README's configuration table. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema } from '../../src/config/env-schema';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const table = README.slice(README.indexOf('## Configuration'), README.indexOf('## Endpoints'));

describe('the README configuration table', () => {
  it.each(Object.keys(envSchema.shape))('documents %s', (name) => {
    expect(table).toContain(`\`${name}\``);
  });
});
