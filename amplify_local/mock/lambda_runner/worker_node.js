// amplify-local Node worker: hosts one Lambda function and serves invocations over framed JSON
// (protocol.py describes the frames). Loads the handler the way the Lambda Node runtime does:
// `_HANDLER` = "dir/module.export.path" relative to LAMBDA_TASK_ROOT; .js/.cjs via require,
// .mjs and ES-module packages via import().
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const path = require('path');
const { pathToFileURL } = require('url');

const MAX_RESPONSE_BYTES = 6291556;
const [inFd, outFd] = String(process.env._AMPLIFY_LOCAL_WORKER_FDS || '').split(',').map(Number);
delete process.env._AMPLIFY_LOCAL_WORKER_FDS;

const output = new net.Socket({ fd: outFd, readable: false, writable: true });
const input = new net.Socket({ fd: inFd, readable: true, writable: false });

function frame(text) {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

function send(message, then) {
  output.write(frame(JSON.stringify(message)), then);
}

function errorDocument(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || (error.constructor && error.constructor.name) || 'Error',
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

class LambdaInitError extends Error {
  constructor(type, message, stack) {
    super(message);
    this.name = type;
    if (stack) this.stack = stack;
  }
}

function findModule(root, moduleRoot, moduleName) {
  const base = path.resolve(root, moduleRoot, moduleName);
  for (const extension of ['.js', '.mjs', '.cjs']) {
    if (fs.existsSync(base + extension)) return base + extension;
  }
  return null;
}

async function loadModule(file) {
  if (file.endsWith('.mjs')) return import(pathToFileURL(file).href);
  try {
    return require(file);
  } catch (error) {
    if (error && error.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    throw error;
  }
}

async function loadHandler() {
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const full = process.env._HANDLER || '';
  const slash = full.lastIndexOf('/');
  const moduleRoot = slash >= 0 ? full.slice(0, slash) : '';
  const [moduleName, ...exportPath] = full.slice(slash + 1).split('.');
  if (!moduleName || exportPath.length === 0) {
    throw new LambdaInitError('Runtime.MalformedHandlerName', `Bad handler ${full}: expected "module.export"`);
  }
  const file = findModule(root, moduleRoot, moduleName);
  if (!file) {
    throw new LambdaInitError('Runtime.ImportModuleError',
      `Error: Cannot find module '${path.join(moduleRoot, moduleName)}' (looked for .js, .mjs, .cjs in ${root})`);
  }
  let loaded;
  try {
    loaded = await loadModule(file);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new LambdaInitError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`, error.stack);
    }
    if (error && (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new LambdaInitError('Runtime.ImportModuleError', `Error: ${error.message}`, error.stack);
    }
    throw error;
  }
  let handler = loaded;
  for (const key of exportPath) handler = handler == null ? undefined : handler[key];
  if (handler === undefined) {
    throw new LambdaInitError('Runtime.HandlerNotFound', `${full} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new LambdaInitError('Runtime.HandlerNotFound', `${full} is not a function`);
  }
  return handler;
}

let handler = null;
let current = null; // the settle function of the invocation in progress
let currentId = null;

function settle(id, error, result) {
  if (error !== null && error !== undefined) {
    send({ type: 'error', id, error: errorDocument(error) });
    return;
  }
  let body;
  try {
    body = result === undefined ? 'null' : JSON.stringify(result);
    if (body === undefined) body = 'null';
  } catch (marshal) {
    send({ type: 'error', id, error: { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${marshal.message}`, trace: [] } });
    return;
  }
  if (Buffer.byteLength(body, 'utf8') > MAX_RESPONSE_BYTES) {
    send({ type: 'error', id, error: { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, trace: [] } });
    return;
  }
  output.write(frame(`{"type":"result","id":${JSON.stringify(id)},"result":${body}}`));
}

function traceHeader() {
  const hex = (bytes) => crypto.randomBytes(bytes).toString('hex');
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${hex(12)};Parent=${hex(8)};Sampled=0`;
}

function invoke(message) {
  const { id, event, context: given } = message;
  process.env._X_AMZN_TRACE_ID = traceHeader();
  let done = false;
  const finish = (error, result) => {
    if (done) return;
    done = true;
    current = null;
    settle(id, error, result);
  };
  current = finish;
  currentId = id;
  const env = process.env;
  const context = {
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: given.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: given.awsRequestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: given.identity === null ? undefined : given.identity,
    clientContext: given.clientContext === null ? undefined : given.clientContext,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, given.deadlineMs - Date.now()),
    done: (error, result) => finish(error, result),
    succeed: (result) => finish(null, result),
    fail: (error) => finish(error === undefined || error === null ? 'handled' : error, undefined),
  };
  const callback = (error, result) => finish(error, result);
  let returned;
  try {
    returned = handler(event, context, callback);
  } catch (error) {
    finish(error);
    return;
  }
  if (returned && typeof returned.then === 'function') {
    returned.then((result) => finish(null, result), (error) => finish(error === undefined ? 'undefined' : error));
  } else if (handler.length < 3) {
    // A synchronous handler that takes no callback: Lambda answers null once the event loop drains.
    setImmediate(() => finish(null, null));
  }
}

function fatal(errorType, error) {
  const document = errorDocument(error);
  if (errorType) document.errorType = errorType;
  const id = current ? currentId : null;
  current = null;
  process.stderr.write(`${document.errorType}: ${document.errorMessage}\n`);
  send({ type: 'error', id, error: document, fatal: true }, () => process.exit(129));
  setTimeout(() => process.exit(129), 500).unref();
}

process.on('uncaughtException', (error) => fatal(null, error));
process.on('unhandledRejection', (reason) => fatal('Runtime.UnhandledPromiseRejection', reason instanceof Error ? reason : new Error(String(reason))));

let buffered = Buffer.alloc(0);
input.on('data', (chunk) => {
  buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
  while (buffered.length >= 4) {
    const length = buffered.readUInt32BE(0);
    if (buffered.length < 4 + length) break;
    const message = JSON.parse(buffered.subarray(4, 4 + length).toString('utf8'));
    buffered = buffered.subarray(4 + length);
    if (message.type === 'invoke') invoke(message);
  }
});
input.on('end', () => process.exit(0));

loadHandler().then(
  (loaded) => {
    handler = loaded;
    send({ type: 'ready' });
  },
  (error) => send({ type: 'init_error', error: errorDocument(error) }, () => process.exit(0)),
);
