// The console in headless Chromium: run a query with the API key, switch to a Cognito user the type does
// not allow and see `Unauthorized`, then add the user to a group that a field requires.
// Starts `amplify mock api --build <corpus v1/10-multi-auth>` itself; needs /usr/bin/chromium (or CHROMIUM).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const build = join(repo, '..', 'shared', 'corpus', 'v1', '10-multi-auth');
const python = process.env.PYTHON || join(repo, '.venv', 'bin', 'python');

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
});
const server = spawn(python, ['-m', 'amplify_local', 'mock', 'api', '--build', build, '--port', String(port), '--ddb-port', '0'],
  { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve, reject) => {
  server.stdout.on('data', (chunk) => { if (String(chunk).includes('GraphQL IDE is available')) resolve(); });
  server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
});

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await (await browser.newContext()).newPage();
  const run = async () => {
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => {
      const text = document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue();
      return text && text.includes('"data"');
    });
    const text = await page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue());
    await page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.setValue(''));
    return JSON.parse(text);
  };

  const query = encodeURIComponent('query { listTags { items { id } } secret }');
  await page.goto(`http://127.0.0.1:${port}/?query=${query}`);
  await page.waitForSelector('#auth-mode');
  await page.selectOption('#auth-mode', 'API_KEY');
  await page.click('#auth-apply');
  let answer = await run();
  assert.deepEqual(answer.data.listTags, { items: [] }, JSON.stringify(answer));
  assert.deepEqual(answer.errors.map((e) => [e.errorType, e.path]), [['Unauthorized', ['secret']]]);

  await page.selectOption('#auth-mode', 'AMAZON_COGNITO_USER_POOLS');
  await page.fill('#auth-username', 'alice');
  await page.click('#auth-apply');
  await page.waitForFunction(() => document.querySelector('#auth-status').textContent.includes('alice'));
  answer = await run();
  assert.equal(answer.data.listTags, null, JSON.stringify(answer));
  assert.deepEqual(answer.errors.map((e) => e.errorType), ['Unauthorized']);
  assert.deepEqual(answer.errors[0].path, ['listTags']);
  assert.equal(answer.data.secret, null);
  console.log('console e2e: API key query, Cognito user refused on an API-key type: ok');
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
