/**
 * The dashboard's login page and its script (`/assets/login.js`): a user name and password form posted as JSON to
 * `POST /auth/login`; on success the browser goes to `/`, on 401 or 429 the page says why. No inline script or style
 * (it works under `Content-Security-Policy: default-src 'self'`), no external request, not indexed by crawlers.
 */

/** The login page's HTML. */
export const LOGIN_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>tradewarden · sign in</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/login.js" defer></script>
</head>
<body>
<div class="login">
  <h1>tradewarden</h1>
  <p class="muted">Operations dashboard · sign in</p>
  <form id="login-form" data-testid="login-form" method="post" action="/auth/login" autocomplete="on">
    <label>User name <input type="text" id="login-username" name="username" data-testid="login-username" autocomplete="username" autocapitalize="none" spellcheck="false" required></label>
    <label>Password <input type="password" id="login-password" name="password" data-testid="login-password" autocomplete="current-password" required></label>
    <button type="submit" id="login-submit" data-testid="login-submit">Sign in</button>
    <div class="error" id="login-error" data-testid="login-error" role="alert"></div>
  </form>
</div>
</body>
</html>
`;

/** The login page's script: submits the form as JSON and follows the outcome. */
export const LOGIN_JS = `(function () {
  'use strict';
  var form = document.getElementById('login-form');
  var error = document.getElementById('login-error');
  var submit = document.getElementById('login-submit');
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    var body = JSON.stringify({ username: form.elements.username.value, password: form.elements.password.value });
    fetch('/auth/login', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: body })
      .then(function (res) {
        if (res.ok) { window.location.assign('/'); return; }
        submit.disabled = false;
        if (res.status === 429) {
          var after = res.headers.get('retry-after');
          error.textContent = 'Too many attempts; try again' + (after ? ' in ' + after + ' s' : ' later') + '.';
        } else if (res.status === 401) {
          error.textContent = 'Wrong user name or password.';
        } else {
          error.textContent = 'Sign-in failed (HTTP ' + res.status + ').';
        }
      })
      .catch(function () { submit.disabled = false; error.textContent = 'The server cannot be reached.'; });
  });
})();
`;
