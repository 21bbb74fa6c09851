#!/usr/bin/env node
/*
 * aws-amplify JS v6 against a running `amplify mock api`: real-time subscriptions over wss.
 *
 *   NODE_EXTRA_CA_CERTS=<mock CA> node subscriptions.mjs --config amplifyconfiguration.json --suite NAME
 *
 * The config is the file `amplify mock` rewrote (http://localhost:<port>/graphql): Amplify JS v6 dials
 * wss://localhost:<port>/graphql/realtime for it, so this also proves TLS on the GraphQL port.
 * Suites (each names the corpus API the mock serves):
 *   arguments   v1/09-subscriptions  API_KEY: onCreateMessage(roomId) gets only its room's messages
 *   multi-auth  v2/10-multi-auth     API_KEY: onCreateTag, with and without an enhanced filter;
 *                                    Cognito user pools: onCreateArticle gets only the caller's articles
 *                                    (the owner rule), narrowed further by a filter argument
 * Prints one JSON line per check and exits 1 if any check failed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { Amplify } from 'aws-amplify';
import { CONNECTION_STATE_CHANGE, ConnectionState, generateClient } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';
import { decodeJWT } from '@aws-amplify/core';

// Node 20 has no WebSocket; Amplify JS uses the global one. E2E_TRACE=1 prints every frame.
globalThis.WebSocket = process.env.E2E_TRACE
  ? class TracedWebSocket extends WebSocket {
      constructor(...args) {
        super(...args);
        this.on('message', (frame) => console.error('<-', String(frame)));
      }
      send(frame) {
        console.error('->', String(frame));
        super.send(frame);
      }
    }
  : WebSocket;

const { values } = parseArgs({ options: { config: { type: 'string' }, suite: { type: 'string' } } });
const config = JSON.parse(readFileSync(values.config, 'utf8'));

// Cognito access tokens as Amplify JS sends them (`session.tokens.accessToken`): no email, token_use access.
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const accessToken = (user) =>
  `${b64({ alg: 'none', typ: 'JWT' })}.${b64({
    sub: `sub-${user}`,
    username: user,
    'cognito:username': user,
    iss: `https://cognito-idp.us-east-1.amazonaws.com/${config.aws_user_pools_id ?? 'us-east-1_fakePool'}`,
    client_id: 'fakeClientId',
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: now,
    iat: now,
    exp: now + 3600,
  })}.`;
let signedIn = 'alice';
Amplify.configure(config, {
  Auth: { tokenProvider: { getTokens: async () => ({ accessToken: decodeJWT(accessToken(signedIn)) }) } },
});
const client = generateClient();

const results = [];
const check = (name, ok, detail) => {
  results.push(ok);
  console.log(JSON.stringify({ check: name, ok, ...(detail === undefined ? {} : { detail }) }));
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Start a subscription; resolves once the server acknowledged it (Amplify reports `Connected`). */
async function subscribe(query, variables, authMode, pick) {
  const events = [];
  const errors = [];
  const sub = client.graphql({ query, variables, authMode }).subscribe({
    next: ({ data }) => events.push(pick(data)),
    error: (error) => errors.push(error),
  });
  return { sub, events, errors };
}

// Amplify tells "connected" through the Hub; the start_ack arrives within milliseconds locally.
let connectionState = null;
Hub.listen('api', ({ payload }) => {
  if (payload.event === CONNECTION_STATE_CHANGE) connectionState = payload.data.connectionState;
});
async function waitFor(predicate, ms) {
  const until = Date.now() + ms;
  while (!predicate() && Date.now() < until) await sleep(20);
}
async function started(handle) {
  // Amplify resolves a subscription's start_ack internally; wait for Connected, then settle.
  await waitFor(() => connectionState === ConnectionState.Connected || handle.errors.length, 15000);
  await sleep(300);
  return handle;
}

async function mutate(query, variables, authMode) {
  const response = await client.graphql({ query, variables, authMode });
  return response.data;
}

async function argumentsSuite() {
  const onCreateMessage = /* GraphQL */ `subscription S($roomId: ID) { onCreateMessage(roomId: $roomId) { id roomId text } }`;
  const createMessage = /* GraphQL */ `mutation M($input: CreateMessageInput!) { createMessage(input: $input) { id roomId text } }`;
  const room1 = await started(await subscribe(onCreateMessage, { roomId: 'room-1' }, 'apiKey', (d) => d.onCreateMessage));
  const all = await started(await subscribe(onCreateMessage, {}, 'apiKey', (d) => d.onCreateMessage));
  check('connected over wss', connectionState === ConnectionState.Connected, connectionState);
  for (const [roomId, text] of [['room-1', 'a'], ['room-2', 'b'], ['room-1', 'c']]) {
    await mutate(createMessage, { input: { roomId, text } }, 'apiKey');
  }
  await waitFor(() => all.events.length >= 3 && room1.events.length >= 2, 5000);
  await sleep(300);
  check('unfiltered subscriber gets every message', all.events.map((e) => e.text).join() === 'a,b,c', all.events);
  check('roomId argument excludes other rooms', room1.events.map((e) => e.text).join() === 'a,c', room1.events);
  check('no subscription errors', !room1.errors.length && !all.errors.length, [...room1.errors, ...all.errors].map(String));
  room1.sub.unsubscribe();
  all.sub.unsubscribe();
}

async function multiAuthSuite() {
  const onCreateTag = /* GraphQL */ `subscription S($filter: ModelSubscriptionTagFilterInput) { onCreateTag(filter: $filter) { id label } }`;
  const createTag = /* GraphQL */ `mutation M($input: CreateTagInput!) { createTag(input: $input) { id label } }`;
  const onCreateArticle = /* GraphQL */ `subscription S($filter: ModelSubscriptionArticleFilterInput) { onCreateArticle(filter: $filter) { id title owner } }`;
  const createArticle = /* GraphQL */ `mutation M($input: CreateArticleInput!) { createArticle(input: $input) { id title owner } }`;

  // API_KEY
  const tags = await started(await subscribe(onCreateTag, {}, 'apiKey', (d) => d.onCreateTag));
  const keepTags = await started(
    await subscribe(onCreateTag, { filter: { label: { beginsWith: 'keep' } } }, 'apiKey', (d) => d.onCreateTag),
  );
  check('connected over wss', connectionState === ConnectionState.Connected, connectionState);
  for (const label of ['keep-1', 'drop-1', 'keep-2']) await mutate(createTag, { input: { label } }, 'apiKey');
  await waitFor(() => tags.events.length >= 3 && keepTags.events.length >= 2, 5000);
  await sleep(300);
  check('API_KEY: onCreateTag gets every tag', tags.events.map((e) => e.label).join() === 'keep-1,drop-1,keep-2', tags.events);
  check('API_KEY: enhanced filter excludes drop-1', keepTags.events.map((e) => e.label).join() === 'keep-1,keep-2', keepTags.events);

  // Cognito user pools, signed in as alice
  signedIn = 'alice';
  const mine = await started(await subscribe(onCreateArticle, {}, 'userPool', (d) => d.onCreateArticle));
  const mineKeep = await started(
    await subscribe(onCreateArticle, { filter: { title: { beginsWith: 'keep' } } }, 'userPool', (d) => d.onCreateArticle),
  );
  await mutate(createArticle, { input: { title: 'keep alice' } }, 'userPool');
  signedIn = 'bob';
  await mutate(createArticle, { input: { title: 'keep bob' } }, 'userPool');
  signedIn = 'alice';
  await mutate(createArticle, { input: { title: 'other alice' } }, 'userPool');
  await waitFor(() => mine.events.length >= 2 && mineKeep.events.length >= 1, 5000);
  await sleep(300);
  check('Cognito: owner rule delivers only alice\'s articles', mine.events.map((e) => e.title).join() === 'keep alice,other alice', mine.events);
  check('Cognito: owner rule and filter argument together', mineKeep.events.map((e) => e.title).join() === 'keep alice', mineKeep.events);
  const errors = [tags, keepTags, mine, mineKeep].flatMap((h) => h.errors.map(String));
  check('no subscription errors', errors.length === 0, errors);
  for (const handle of [tags, keepTags, mine, mineKeep]) handle.sub.unsubscribe();
}

const suites = { arguments: argumentsSuite, 'multi-auth': multiAuthSuite };
try {
  await suites[values.suite]();
} catch (error) {
  check('suite ran', false, String(error?.stack ?? JSON.stringify(error)));
}
await sleep(1200); // Amplify sends stop and closes the socket 1 s after the last unsubscribe
process.exit(results.length && results.every(Boolean) ? 0 : 1);
