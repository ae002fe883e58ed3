// A real OpenID provider for Digileap's browser test of single sign-on: the npm package oidc-provider
// with its development sign-in pages (any password), one client and a few accounts.
//
//   NODE_PATH=<dir>/node_modules PORT=8813 REDIRECT_URI=http://localhost:8000/oidc/callback/ \
//   POST_LOGOUT_REDIRECT_URI=http://localhost:8000/ node server.mjs
//
// Prints "ready <issuer>" when it listens. The client is "digileap" with the secret "digileap-secret",
// authenticating with client_secret_post; ID tokens are signed with RS256 (keys at /jwks).
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.OIDC_PROVIDER_PREFIX || process.cwd(), 'node_modules', 'x.js'));
const { default: Provider } = await import(require.resolve('oidc-provider'));

const port = Number(process.env.PORT || 8813);
const host = process.env.HOST || '127.0.0.1';
const issuer = `http://${host}:${port}`;

// Accounts by the name typed on the provider's sign-in page.
const accounts = {
  'owner': {
    email: 'Owner.SSO@example.org', email_verified: true, given_name: 'Olga', family_name: 'Owner',
    groups: ['digileap-owners-IN', 'all-staff'],
  },
  'nobody': {
    email: 'nobody@example.org', email_verified: true, given_name: 'Nora', family_name: 'Nobody', groups: ['all-staff'],
  },
  'unverified': {
    email: 'unverified@example.org', email_verified: false, groups: ['digileap-owners-IN'],
  },
};

const configuration = {
  clients: [{
    client_id: 'digileap',
    client_secret: 'digileap-secret',
    redirect_uris: [process.env.REDIRECT_URI],
    post_logout_redirect_uris: [process.env.POST_LOGOUT_REDIRECT_URI],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  cookies: { keys: ['digileap-browser-test-only'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
};

const provider = new Provider(issuer, configuration);
provider.listen(port, host, () => {
  console.log(`ready ${issuer}`);
});
