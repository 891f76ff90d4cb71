#!/usr/bin/env node
// A real OpenID Provider (panva's oidc-provider, pinned in package-lock.json) for tokenbridge's
// interop tests: tests/interop_oidc_provider.rs starts one per test and kills it by process id.
// See docs/interop.md.
//
// Usage: node provider.js [PORT] [--exit-on-stdin-close]
//   PORT (or env TOKENBRIDGE_INTEROP_PORT) is the loopback port; 0 (the default) lets the system
//   pick a free one, which is what the harness uses so two providers never race for a port.
//   Once it listens, one line goes to stdout:
//     tokenbridge-interop ready http://127.0.0.1:<port>
//   The issuer is exactly that URL. With --exit-on-stdin-close the provider exits when its
//   stdin closes, so it cannot outlive a test process that was killed before its guard ran.
//
// Login and consent need no browser: the interaction pages below are plain HTML forms.
//   GET  /interaction/<uid>          a form whose `action` is .../login or .../confirm
//   POST /interaction/<uid>/login    form field `login`: any account id signs in as that id
//   POST /interaction/<uid>/confirm  grants every scope and claim asked for
// Each POST answers with a redirect back into /auth/<uid>, and the last one redirects to the
// client's redirect_uri with `code` and `state`, as with a browser.
//
// Clients (their ids and secrets are test values; the Rust harness mirrors this table in
// tests/interop_support/mod.rs). Every client may use any loopback port on
// http://127.0.0.1/callback (a `native` client: RFC 8252 section 7.3), and the code and
// refresh_token grants.
//
//   client_id                | secret                          | token_endpoint_auth_method
//   tb-basic                 | tb-basic-secret                 | client_secret_basic
//   tb-post                  | tb-post-secret                  | client_secret_post
//   tb-public                | (none; PKCE S256 required)      | none
//   "weird:client id+/%"     | "s3cret:+/% x y"                | client_secret_basic
//   tb-secret-jwt            | tb-secret-jwt-secret-0123456789abcdef (HS256 needs >= 32 bytes)
//                            |                                 | client_secret_jwt
//   tb-private-key-jwt       | (keys/private_key_jwt_client.pem, public JWK below)
//                            |                                 | private_key_jwt
//   tb-device                | tb-device-secret                | client_secret_basic
//                            |   (also the device_code grant, RFC 8628)
//
// Device flow (RFC 8628): the verification page is a plain HTML form too.
//   GET  /device                     a form with hidden `xsrf` and a `user_code` field
//   POST /device                     `xsrf` and `user_code`: a confirmation form (hidden
//                                    `xsrf`, `user_code`, `confirm=yes`); post it back with
//                                    `confirm=yes` to go on to login and consent (above), or
//                                    with `abort=yes` to refuse (the poll gets access_denied)
//
// Introspection, pushed authorization requests (RFC 9126) and DPoP (RFC 9449) are on for every
// client; a DPoP proof must carry the server's nonce (`use_dpop_nonce` hands it out), so the
// nonce round trip is exercised wherever DPoP is. Requests without a DPoP proof are unaffected.
//
//   tb-web                   | tb-web-secret                   | client_secret_basic
//     (the browser tests of examples/web_app.rs, tests/browser: its access tokens live
//     WEB_ACCESS_TOKEN_TTL seconds, so a test can wait past one and see it renewed; its
//     post-logout redirect URI is TOKENBRIDGE_INTEROP_WEB_APP + "/" when that is set)
//
// The weird client exists because RFC 6749 section 2.3.1 form-encodes id and secret before
// base64 in the Basic header; oidc-provider decodes them that way, so a client that sends them
// raw fails with invalid_client.

// An ES module (package.json says "type": "module"): oidc-provider 8 is published as ESM only.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const READY_PREFIX = 'tokenbridge-interop ready ';
const CALLBACK = 'http://127.0.0.1/callback';

// The public half of keys/private_key_jwt_client.pem (a test key, committed on purpose).
const PRIVATE_KEY_JWT_PUBLIC_JWK = {
  kty: 'RSA',
  kid: 'tb-private-key-jwt-1',
  use: 'sig',
  alg: 'RS256',
  n: 'v3QZjbkO-i5u5U81o_0mC8OsM5lWgXVKMcA1JI10bmT1xPM7WVnRLMRYuNdn9mM7gozeBl9jCWA2E342CV6xddEPqqp2d4JHIrUTdlSw1gUEBemyuQ_ieJzUlXXcLEK1It22k7vHPVhveNx1BgqoaxkSKAGYTrq3BH6-tNNVAo5syMqiCOG2ABRrZccQj766WgrHqC5G5pSJbi8ZT_R0EzOsKIJjCtoVSUaayHZexVfQAjtVc5QXTjm_W7xKOZJGe3f4kakdYrQr7GiRohoFCCHb1XycrbLc8qrwE8NdXQOwwuZEL0Dos9SRj5R7uCShYnmfCNpR1fEqHqWJ7VvZSw',
  e: 'AQAB',
};

function client(clientId, authMethod, extra) {
  return {
    client_id: clientId,
    // `native` lets a loopback redirect URI use any port, so a test can listen wherever it likes.
    application_type: 'native',
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: authMethod,
    ...extra,
  };
}

// The browser tests' client: short access tokens (see the table above), longer than the web
// app's 10 s refresh margin, so a token is used as it is for 15 s after sign-in and a test
// can wait past its whole lifetime in half a minute.
const WEB_CLIENT_ID = 'tb-web';
const WEB_ACCESS_TOKEN_TTL = 25;
const WEB_APP = process.env.TOKENBRIDGE_INTEROP_WEB_APP;

const CLIENTS = [
  client('tb-basic', 'client_secret_basic', { client_secret: 'tb-basic-secret' }),
  client('tb-post', 'client_secret_post', { client_secret: 'tb-post-secret' }),
  client('tb-public', 'none'),
  client('weird:client id+/%', 'client_secret_basic', { client_secret: 's3cret:+/% x y' }),
  client('tb-secret-jwt', 'client_secret_jwt', {
    client_secret: 'tb-secret-jwt-secret-0123456789abcdef',
  }),
  client('tb-private-key-jwt', 'private_key_jwt', { jwks: { keys: [PRIVATE_KEY_JWT_PUBLIC_JWK] } }),
  client(WEB_CLIENT_ID, 'client_secret_basic', {
    client_secret: 'tb-web-secret',
    ...(WEB_APP ? { post_logout_redirect_uris: [`${WEB_APP}/`] } : {}),
  }),
  client('tb-device', 'client_secret_basic', {
    client_secret: 'tb-device-secret',
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  }),
];

// The device flow's pages: the forms oidc-provider builds, in a page without scripts or remote
// styles (and without the notice the default pages print on stdout, where the harness reads).
async function userCodeInputSource(ctx, form, out, err) {
  const message = err ? `<p class="error">${escapeHtml(err.name)}</p>` : '<p>Enter the code</p>';
  ctx.body = `<!doctype html>\n<title>tokenbridge interop: device</title>\n${message}\n${form}\n`;
}

async function userCodeConfirmSource(ctx, form, client, deviceInfo, userCode) {
  ctx.body = `<!doctype html>\n<title>tokenbridge interop: confirm device</title>\n<p>${escapeHtml(userCode)} for ${escapeHtml(client.clientId)}</p>\n${form}\n`;
}

async function successSource(ctx) {
  ctx.body = '<!doctype html>\n<title>tokenbridge interop: device signed in</title>\n<p>device signed in</p>\n';
}

// A stale literal above would make the private_key_jwt tests fail in a confusing way; refuse to
// start instead.
function checkCommittedKey() {
  const pem = fs.readFileSync(new URL('keys/private_key_jwt_client.pem', import.meta.url));
  const { n, e } = crypto.createPublicKey(pem).export({ format: 'jwk' });
  if (n !== PRIVATE_KEY_JWT_PUBLIC_JWK.n || e !== PRIVATE_KEY_JWT_PUBLIC_JWK.e) {
    throw new Error('keys/private_key_jwt_client.pem does not match PRIVATE_KEY_JWT_PUBLIC_JWK');
  }
}

// The provider's own ID-token signing key: RS256, fresh for each run; tests verify ID tokens
// against the provider's jwks_uri, never against a copy.
function signingJwks() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: 'tb-interop-op-1', use: 'sig', alg: 'RS256' }] };
}

function configuration() {
  return {
    clients: CLIENTS,
    jwks: signingJwks(),
    // Fixed lifetimes (seconds): a test never outlives them, and numbers instead of the default
    // functions keep oidc-provider from printing notices on stdout, where the harness reads.
    ttl: {
      AccessToken(ctx, token, client) {
        return client?.clientId === WEB_CLIENT_ID ? WEB_ACCESS_TOKEN_TTL : 3600;
      },
      AuthorizationCode: 600,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86400,
      Session: 3600,
    },
    // Test-only cookie signing keys.
    cookies: { keys: ['tokenbridge-interop-cookie-key'] },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      // preferred_username too, so the userinfo test sees Identity fill more than one field
      // from `profile`.
      profile: ['name', 'preferred_username'],
    },
    async findAccount(ctx, accountId) {
      return {
        accountId,
        async claims() {
          return {
            sub: accountId,
            email: `${accountId}@example.test`,
            email_verified: true,
            name: `Test user ${accountId}`,
            preferred_username: accountId,
          };
        },
      };
    },
    interactions: {
      url(ctx, interaction) {
        return `/interaction/${interaction.uid}`;
      },
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      // Plain pages for RP-initiated logout (the default ones load a web font): the browser
      // tests click through them without any network beyond loopback.
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = `<!doctype html>
<title>tokenbridge interop: logout</title>
<p>Sign out of ${escapeHtml(ctx.host)}?</p>
${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>
`;
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = '<!doctype html>\n<title>tokenbridge interop: signed out</title>\n<p>Signed out.</p>\n';
        },
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource,
        userCodeConfirmSource,
        successSource,
      },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: {
        enabled: true,
        // Fresh for each run; a nonce is then required in every proof (RFC 9449 section 8).
        nonceSecret: crypto.randomBytes(32),
        requireNonce: () => true,
      },
    },
    // PKCE (S256 only) is required from public clients and optional for confidential ones, so
    // the confidential tests exercise the plain code grant.
    pkce: {
      methods: ['S256'],
      required(ctx, client) {
        return client.clientAuthMethod === 'none';
      },
    },
    // Every code grant of a client allowed the refresh_token grant gets a refresh token, without
    // the offline_access + prompt=consent dance.
    async issueRefreshToken(ctx, client) {
      return client.grantTypeAllowed('refresh_token');
    },
  };
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 64 * 1024) {
        reject(new Error('form body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendText(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${text}\n`);
}

function page(res, uid, prompt, clientId) {
  const action = prompt === 'login' ? 'login' : 'confirm';
  const field = prompt === 'login' ? '<input name="login" value="alice">' : '';
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html>
<title>tokenbridge interop: ${escapeHtml(prompt)}</title>
<p>${escapeHtml(prompt)} for ${escapeHtml(clientId)}</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/${action}" data-prompt="${escapeHtml(prompt)}">
${field}<button type="submit">Continue</button>
</form>
`);
}

async function consent(provider, details) {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  return details.grantId ? {} : { grantId };
}

async function interaction(provider, req, res, pathname) {
  const [, , uid, action] = pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    sendText(res, 400, 'interaction id does not match the interaction cookie');
    return;
  }
  const prompt = details.prompt.name;
  if (req.method === 'GET' && action === undefined) {
    page(res, uid, prompt, details.params.client_id);
    return;
  }
  if (req.method !== 'POST') {
    sendText(res, 405, 'use GET for the page and POST for its form');
    return;
  }
  const form = await readForm(req);
  if (action === 'login' && prompt === 'login') {
    const accountId = form.get('login');
    if (!accountId) {
      sendText(res, 400, 'the login form needs a non-empty `login` field');
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId } }, {
      mergeWithLastSubmission: false,
    });
    return;
  }
  if (action === 'confirm' && prompt === 'consent') {
    const result = { consent: await consent(provider, details) };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
    return;
  }
  sendText(res, 400, `the interaction asks for ${prompt}, not ${action}`);
}

function main() {
  const args = process.argv.slice(2);
  const exitOnStdinClose = args.includes('--exit-on-stdin-close');
  const portArg = args.find((a) => !a.startsWith('--')) ?? process.env.TOKENBRIDGE_INTEROP_PORT ?? '0';
  const port = Number(portArg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`the port must be an integer from 0 to 65535, not ${JSON.stringify(portArg)}`);
  }
  checkCommittedKey();

  let provider;
  let callback;
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    if (pathname.startsWith('/interaction/')) {
      interaction(provider, req, res, pathname).catch((err) => {
        // The test sees the status and this text; the stack goes to stderr for the harness.
        process.stderr.write(`interaction error: ${err.stack ?? err}\n`);
        if (!res.headersSent) sendText(res, 500, `interaction failed: ${err.name}: ${err.message}`);
        else res.end();
      });
      return;
    }
    if (!callback) {
      sendText(res, 503, 'the provider is still starting');
      return;
    }
    callback(req, res);
  });

  server.on('error', (err) => {
    process.stderr.write(`cannot listen on 127.0.0.1:${port}: ${err.message}\n`);
    process.exit(1);
  });
  // The issuer must carry the real port, so the provider is built once the socket is bound.
  server.listen(port, '127.0.0.1', () => {
    const issuer = `http://127.0.0.1:${server.address().port}`;
    provider = new Provider(issuer, configuration());
    provider.on('server_error', (ctx, err) => {
      process.stderr.write(`server_error: ${err.stack ?? err}\n`);
    });
    callback = provider.callback();
    process.stdout.write(`${READY_PREFIX}${issuer}\n`);
  });

  if (exitOnStdinClose) {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
    process.stdin.resume();
  }
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}

try {
  main();
} catch (err) {
  process.stderr.write(`provider.js: ${err.stack ?? err}\n`);
  process.exit(1);
}
