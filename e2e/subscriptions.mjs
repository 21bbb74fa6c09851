#!/usr/bin/env node
/*
 * aws-amplify JS v6 against a running `amplify mock api`: real-time subscriptions over wss.
 *
 *   NODE_EXTRA_CA_CERTS=<mock CA> node subscriptions.mjs --config src/aws-exports.js --suite NAME
 *
 * The config is the file `amplify mock` rewrote (http://127.0.0.1:<port>/graphql): Amplify JS v6 dials
 * wss://127.0.0.1:<port>/graphql/realtime for it, so this also proves TLS on the GraphQL port.
 * Suites (each names the corpus API the mock serves):
 *   arguments   v1/09-subscriptions  API_KEY: onCreateMessage(roomId) gets only its room's messages
 *   owner-auth  v2/02-auth-owner     API_KEY (public read): onCreatePost, with and without a filter argument
 *                                    (an enhanced filter); Cognito user pools: onCreatePost gets only the
 *                                    caller's posts (the owner rule), narrowed by a filter argument, and
 *                                    onCreateDraft only drafts whose reviewers list names the caller
 *   v1-owner    v1/02-auth-owner     API_KEY: onCreatePost gets every post; Cognito: onCreatePost(owner: me)
 *                                    gets only mine, and without the owner argument it is refused
 * Prints one JSON line per check and exits 1 if any check failed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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
// aws-exports.js (an ES module, as a Vite/React app imports it) or a JSON config file
const config = values.config.endsWith('.js')
  ? (await import(pathToFileURL(resolve(values.config)).href)).default
  : JSON.parse(readFileSync(values.config, 'utf8'));

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

async function ownerAuthSuite() {
  const onCreatePost = /* GraphQL */ `subscription S($filter: ModelSubscriptionPostFilterInput) { onCreatePost(filter: $filter) { id title owner } }`;
  const createPost = /* GraphQL */ `mutation M($input: CreatePostInput!) { createPost(input: $input) { id title owner } }`;
  const onCreateDraft = /* GraphQL */ `subscription S { onCreateDraft { id body author reviewers } }`;
  const createDraft = /* GraphQL */ `mutation M($input: CreateDraftInput!) { createDraft(input: $input) { id body author reviewers } }`;
  const titles = (handle) => handle.events.map((e) => e.title).join();

  signedIn = 'alice';
  const publicAll = await started(await subscribe(onCreatePost, {}, 'apiKey', (d) => d.onCreatePost));
  const publicKeep = await started(
    await subscribe(onCreatePost, { filter: { title: { beginsWith: 'keep' } } }, 'apiKey', (d) => d.onCreatePost),
  );
  check('connected over wss', connectionState === ConnectionState.Connected, connectionState);
  const mine = await started(await subscribe(onCreatePost, {}, 'userPool', (d) => d.onCreatePost));
  const mineKeep = await started(
    await subscribe(onCreatePost, { filter: { title: { beginsWith: 'keep' } } }, 'userPool', (d) => d.onCreatePost),
  );
  const drafts = await started(await subscribe(onCreateDraft, {}, 'userPool', (d) => d.onCreateDraft));

  await mutate(createPost, { input: { title: 'keep alice' } }, 'userPool');
  signedIn = 'bob';
  await mutate(createPost, { input: { title: 'keep bob' } }, 'userPool');
  await mutate(createDraft, { input: { body: 'for alice', reviewers: ['alice'] } }, 'userPool');
  await mutate(createDraft, { input: { body: 'for carol', reviewers: ['carol'] } }, 'userPool');
  signedIn = 'alice';
  await mutate(createPost, { input: { title: 'other alice' } }, 'userPool');
  await waitFor(() => publicAll.events.length >= 3 && mine.events.length >= 2, 5000);
  await sleep(300);

  check('API_KEY: public read gets every post', titles(publicAll) === 'keep alice,keep bob,other alice', publicAll.events);
  check('API_KEY: enhanced filter argument excludes other titles', titles(publicKeep) === 'keep alice,keep bob', publicKeep.events);
  check("Cognito: the owner rule delivers only alice's posts", titles(mine) === 'keep alice,other alice', mine.events);
  check('Cognito: owner rule and filter argument together', titles(mineKeep) === 'keep alice', mineKeep.events);
  check(
    'Cognito: a reviewers list (contains) lets alice see only drafts naming her',
    drafts.events.map((e) => e.body).join() === 'for alice',
    drafts.events,
  );
  const handles = [publicAll, publicKeep, mine, mineKeep, drafts];
  check('no subscription errors', handles.every((h) => !h.errors.length), handles.flatMap((h) => h.errors.map(String)));
  for (const handle of handles) handle.sub.unsubscribe();
}

async function v1OwnerSuite() {
  const onCreatePost = /* GraphQL */ `subscription S($owner: String) { onCreatePost(owner: $owner) { id title owner } }`;
  const createPost = /* GraphQL */ `mutation M($input: CreatePostInput!) { createPost(input: $input) { id title owner } }`;
  signedIn = 'alice';
  const everyone = await started(await subscribe(onCreatePost, {}, 'apiKey', (d) => d.onCreatePost));
  check('connected over wss', connectionState === ConnectionState.Connected, connectionState);
  const mine = await started(await subscribe(onCreatePost, { owner: 'alice' }, 'userPool', (d) => d.onCreatePost));
  for (const user of ['bob', 'alice']) {
    signedIn = user;
    await mutate(createPost, { input: { title: `by ${user}` } }, 'userPool');
  }
  signedIn = 'alice';
  await waitFor(() => everyone.events.length >= 2 && mine.events.length >= 1, 5000);
  await sleep(300);
  check('API_KEY: public read gets every post', everyone.events.map((e) => e.title).join() === 'by bob,by alice', everyone.events);
  check('Cognito: owner argument delivers only alice\'s posts', mine.events.map((e) => e.title).join() === 'by alice', mine.events);
  // Last: Amplify JS answers an Unauthorized start by reconnecting the socket (to refresh tokens).
  const refused = await subscribe(onCreatePost, {}, 'userPool', (d) => d.onCreatePost);
  await waitFor(() => refused.errors.length, 5000);
  check(
    'Cognito: subscribing without naming yourself as owner is refused',
    refused.errors.length === 1 && JSON.stringify(refused.errors[0]).includes('Unauthorized') && !refused.events.length,
    refused.errors.map((e) => JSON.stringify(e)),
  );
  for (const handle of [everyone, mine, refused]) handle.sub.unsubscribe();
}

const suites = { arguments: argumentsSuite, 'owner-auth': ownerAuthSuite, 'v1-owner': v1OwnerSuite };
try {
  await suites[values.suite]();
} catch (error) {
  check('suite ran', false, String(error?.stack ?? JSON.stringify(error)));
}
await sleep(1200); // Amplify sends stop and closes the socket 1 s after the last unsubscribe
process.exit(results.length && results.every(Boolean) ? 0 : 1);
