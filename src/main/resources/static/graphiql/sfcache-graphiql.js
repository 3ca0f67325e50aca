// Starts GraphiQL against ../graphql with the bearer token from the bar above it. The token lives in
// sessionStorage: it survives a reload but not the tab, and is never sent anywhere but to this app.
(function () {
  'use strict';

  var STORAGE_KEY = 'sfcache.graphiql.token';
  var endpoint = new URL('../graphql', window.location.href).toString();
  var input = document.getElementById('token');
  var status = document.getElementById('token-status');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));

  function storedToken() {
    return window.sessionStorage.getItem(STORAGE_KEY) || '';
  }

  // People paste "Bearer eyJ..." as often as the bare token.
  function normalise(text) {
    return text.trim().replace(/^Bearer\s+/i, '');
  }

  // Shows whose token it is and when it runs out, read from the JWT's payload (not verified: the server does that).
  function describe(token) {
    if (!token) {
      return { text: 'no token: /graphql will answer 401', problem: true };
    }
    try {
      var payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      var minutes = Math.round((payload.exp * 1000 - Date.now()) / 60000);
      var roles = (payload.roles || []).join(', ') || 'no roles';
      if (minutes <= 0) {
        return { text: payload.sub + ' (' + roles + '): expired', problem: true };
      }
      var left = minutes >= 120 ? Math.floor(minutes / 60) + ' h' : minutes + ' min';
      return { text: payload.sub + ' (' + roles + '), ' + left + ' left', problem: false };
    } catch (notAJwt) {
      return { text: 'not a JWT: /graphql will answer 401', problem: true };
    }
  }

  // A 401 or 403 has no GraphQL body: turn it into an error GraphiQL can show, with the server's reason.
  function httpError(response) {
    var reason = response.headers.get('WWW-Authenticate') || '';
    var hint = response.status === 401
      ? 'the token is missing, expired, or not for this sfcache (issuer/audience)'
      : 'the token has no sfcache role that allows this';
    var name = response.status === 401 ? 'Unauthorized' : 'Forbidden';
    return { errors: [{ message: response.status + ' ' + name + ': ' + hint
      + (reason ? ' [' + reason + ']' : '') }] };
  }

  function fetcherFor(token) {
    return function (params, options) {
      var headers = Object.assign({ 'Content-Type': 'application/json', Accept: 'application/json' },
        options && options.headers);
      // A header typed into GraphiQL's own headers editor wins over the bar.
      if (token && !headers.Authorization && !headers.authorization) {
        headers.Authorization = 'Bearer ' + token;
      }
      return fetch(endpoint, { method: 'POST', headers: headers, body: JSON.stringify(params) })
        .then(function (response) {
          return response.status === 401 || response.status === 403 ? httpError(response) : response.json();
        });
    };
  }

  var renders = 0;

  function render() {
    var token = storedToken();
    var description = describe(token);
    status.textContent = description.text;
    status.className = description.problem ? 'problem' : '';
    // A fresh GraphiQL per token (a new key): it fetches the schema again with the token, and drops the
    // previous token's errors. Queries and tabs survive in GraphiQL's own localStorage.
    renders += 1;
    root.render(React.createElement(GraphiQL, {
      key: renders,
      fetcher: fetcherFor(token),
      defaultQuery: '# Paste a token above, then run (Ctrl-Enter).\n{ __typename }\n',
      defaultEditorToolsVisibility: false
    }));
  }

  document.getElementById('token-bar').addEventListener('submit', function (event) {
    event.preventDefault();
    window.sessionStorage.setItem(STORAGE_KEY, normalise(input.value));
    input.value = '';
    render();
  });
  document.getElementById('forget-token').addEventListener('click', function () {
    window.sessionStorage.removeItem(STORAGE_KEY);
    input.value = '';
    render();
  });

  render();
}());
