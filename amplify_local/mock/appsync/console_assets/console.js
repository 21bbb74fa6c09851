// The console of `amplify mock api`: GraphiQL with the explorer, plus an auth panel that sends each
// request as the chosen caller. Tokens for Cognito and OIDC callers are minted by the server
// (RS256, verified like any token; JWKS at /.well-known/jwks.json); IAM requests are signed by the
// server with the mock's credentials. The panel's state is kept in localStorage.
(function () {
  'use strict';
  const h = React.createElement;
  const STORE = 'amplify-local-console-auth';
  const saved = JSON.parse(localStorage.getItem(STORE) || '{}');
  const auth = {
    mode: saved.mode || null,
    username: saved.username || 'user1',
    groups: saved.groups || '',
    email: saved.email || '',
    claims: saved.claims || '{}',
    iamRole: saved.iamRole || 'auth',
    lambdaToken: saved.lambdaToken || 'allow',
    token: null,
  };
  let config = null;

  function save() {
    const { token, ...rest } = auth;
    localStorage.setItem(STORE, JSON.stringify(rest));
  }

  async function mint() {
    let extra = {};
    try { extra = JSON.parse(auth.claims || '{}'); } catch (error) { throw new Error(`Additional claims: ${error.message}`); }
    const groups = auth.groups.split(',').map((g) => g.trim()).filter(Boolean);
    const response = await fetch('/console/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: auth.mode, username: auth.username, groups, email: auth.email, claims: extra }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.message);
    auth.token = body.token;
  }

  async function headersFor(body) {
    switch (auth.mode) {
      case 'API_KEY':
        return { 'x-api-key': config.apiKey };
      case 'AMAZON_COGNITO_USER_POOLS':
      case 'OPENID_CONNECT':
        if (!auth.token) await mint();
        return { Authorization: auth.token };
      case 'AWS_IAM': {
        const response = await fetch('/console/sign', {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ role: auth.iamRole, body }),
        });
        return (await response.json()).headers;
      }
      case 'AWS_LAMBDA':
        return { Authorization: auth.lambdaToken };
      default:
        return {};
    }
  }

  async function fetcher(params) {
    const body = JSON.stringify(params);
    const headers = { 'content-type': 'application/json', ...(await headersFor(body)) };
    const response = await fetch('/graphql', { method: 'POST', headers, body });
    return response.json();
  }

  function AuthPanel() {
    const [, refresh] = React.useState(0);
    const [status, setStatus] = React.useState('');
    const update = (key) => (event) => { auth[key] = event.target.value; auth.token = null; save(); refresh((n) => n + 1); };
    const modes = [config.defaultAuthenticationType, ...config.additionalAuthenticationProviders]
      .map((p) => p.authenticationType);
    const fields = [];
    if (auth.mode === 'API_KEY') {
      fields.push(h('label', { key: 'k' }, 'API key', h('input', { readOnly: true, value: config.apiKey, size: 22 })));
    }
    if (auth.mode === 'AMAZON_COGNITO_USER_POOLS' || auth.mode === 'OPENID_CONNECT') {
      fields.push(
        h('label', { key: 'u' }, 'Username', h('input', { id: 'auth-username', value: auth.username, onChange: update('username') })),
        h('label', { key: 'g' }, 'Groups', h('input', { id: 'auth-groups', value: auth.groups, placeholder: 'Admin, Editors', onChange: update('groups') })),
        h('label', { key: 'e' }, 'Email', h('input', { id: 'auth-email', value: auth.email, onChange: update('email') })),
        h('label', { key: 'c' }, 'Additional claims', h('input', { id: 'auth-claims', value: auth.claims, size: 28, onChange: update('claims') })),
      );
    }
    if (auth.mode === 'AWS_IAM') {
      fields.push(h('label', { key: 'r' }, 'Role', h('select', { id: 'auth-role', value: auth.iamRole, onChange: update('iamRole') },
        h('option', { value: 'auth' }, 'Auth role'), h('option', { value: 'unauth' }, 'Unauth role'))));
    }
    if (auth.mode === 'AWS_LAMBDA') {
      fields.push(h('label', { key: 't' }, 'Authorization token', h('input', { id: 'auth-token', value: auth.lambdaToken, onChange: update('lambdaToken') })));
    }
    async function apply() {
      try {
        auth.token = null;
        if (auth.mode === 'AMAZON_COGNITO_USER_POOLS' || auth.mode === 'OPENID_CONNECT') await mint();
        setStatus(`Requests go as ${auth.mode}${auth.token ? ` (${auth.username})` : ''}`);
      } catch (error) { setStatus(error.message); }
    }
    async function clearData() {
      if (!window.confirm('Delete every item of every table?')) return;
      const response = await fetch('/clear-data', { method: 'DELETE' });
      setStatus((await response.json()).message);
    }
    return h(React.Fragment, null,
      h('label', null, 'Auth mode', h('select', { id: 'auth-mode', value: auth.mode, onChange: update('mode') },
        modes.map((mode) => h('option', { key: mode, value: mode }, mode)))),
      ...fields,
      h('button', { id: 'auth-apply', onClick: apply }, 'Update auth'),
      h('button', { id: 'clear-data', onClick: clearData }, 'Clear data'),
      h('span', { id: 'auth-status', className: 'status' }, status));
  }

  async function start() {
    config = await (await fetch('/api-config')).json();
    const modes = [config.defaultAuthenticationType, ...config.additionalAuthenticationProviders]
      .map((p) => p.authenticationType);
    if (!modes.includes(auth.mode)) auth.mode = modes[0];
    ReactDOM.createRoot(document.getElementById('auth')).render(h(AuthPanel));
    const explorer = GraphiQLPluginExplorer.explorerPlugin();
    const query = new URLSearchParams(window.location.search).get('query') || undefined;  // links can carry one
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      h(GraphiQL, { fetcher, plugins: [explorer], defaultQuery: query, query, defaultEditorToolsVisibility: true }));
  }

  start();
})();
