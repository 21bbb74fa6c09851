/**
 * Resolves Query.summarize for the amplify-local demo (an @function field).
 * The event is the @function payload: typeName, fieldName, arguments, identity, source, request, prev.
 * @type {import('@types/aws-lambda').Handler}
 */
exports.handler = async (event) => {
  const names = (event.arguments && event.arguments.names) || [];
  const who = event.identity && (event.identity.username || event.identity.sub);
  const list = names.length ? `: ${names.join(', ')}` : '';
  return `${names.length} todo${names.length === 1 ? '' : 's'}${who ? ` for ${who}` : ''}${list}`;
};
