/**
 * Lets a worker thread require the TypeScript sources (src/, test/helpers/) as they are: each file is
 * transpiled on require, as ts-jest does for the test files (no type check: `npm test` runs tsc).
 * Jest's transform does not reach worker threads.
 */
const { readFileSync } = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
