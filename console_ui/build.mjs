// Copies the browser bundles (React, GraphiQL, the explorer plugin) from npm into the Python package, so
// the console works offline. Run after `npm install`: `npm run build`. Our own console (index.html,
// console.js, console.css) is written directly in that folder: it needs no build, so it has one copy.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'amplify_local', 'mock', 'appsync', 'console_assets');
mkdirSync(out, { recursive: true });
const files = {
  'react.production.min.js': 'node_modules/react/umd/react.production.min.js',
  'react-dom.production.min.js': 'node_modules/react-dom/umd/react-dom.production.min.js',
  'graphiql.min.js': 'node_modules/graphiql/graphiql.min.js',
  'graphiql.min.css': 'node_modules/graphiql/graphiql.min.css',
  'explorer.umd.js': 'node_modules/@graphiql/plugin-explorer/dist/index.umd.js',
  'explorer.css': 'node_modules/@graphiql/plugin-explorer/dist/style.css',
};
for (const [name, source] of Object.entries(files)) copyFileSync(join(here, source), join(out, name));
console.log(`console assets written to ${out}`);
