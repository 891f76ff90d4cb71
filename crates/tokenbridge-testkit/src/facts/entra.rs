//! Microsoft Entra ID's (v2.0 endpoints) documented facts.
//!
//! - \[OIDC\] <https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc>:
//!   authority `https://login.microsoftonline.com/{tenant}/v2.0` with `{tenant}` `common`,
//!   `organizations`, `consumers`, a tenant id or domain; discovery below it at
//!   `/.well-known/openid-configuration`; `authorize` and `token` at
//!   `/{tenant}/oauth2/v2.0/...`, keys at `/{tenant}/discovery/v2.0/keys`, userinfo
//!   `https://graph.microsoft.com/oidc/userinfo`; logout `/{tenant}/oauth2/v2.0/logout` with
//!   `post_logout_redirect_uri` and `logout_hint`.
//! - \[AT\] <https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens>: the
//!   `common` and `organizations` documents name the issuer template
//!   `https://login.microsoftonline.com/{tenantid}/v2.0`; replace `{tenantid}` with the token's
//!   tenant and compare exactly; `consumers` is a nickname for tenant
//!   `9188040d-6c67-4c5b-b112-36a304b66dad`.
//! - \[CODE\] <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow>:
//!   the token request (form-encoded; `client_secret`, or `client_assertion` with
//!   `client_assertion_type`), error members `error`, `error_description`, `error_codes`,
//!   `timestamp`, `trace_id`, `correlation_id`.
//! - \[ERR\] <https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes>:
//!   the AADSTS codes below.
//! - \[UI\] <https://learn.microsoft.com/en-us/entra/identity-platform/userinfo>: userinfo
//!   answers `sub`, `name`, `family_name`, `given_name`, `picture`, `email` only.
//! - \[CERT\] <https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials>:
//!   `private_key_jwt` assertions signed with a certificate's key name it by its thumbprint in
//!   the header (`x5t`), "Base64url-encoded SHA-1 thumbprint of the X.509 certificate's DER
//!   encoding".
//! - \[CERTERR\] <https://learn.microsoft.com/en-us/azure/developer/java/sdk/troubleshooting-authentication-service-principal>:
//!   a certificate credential refused with AADSTS700027, "Client assertion contains an invalid
//!   signature", whose mitigation is to "ensure the specified certificate has been uploaded to
//!   the Microsoft Entra application registration".

/// The authority's host \[OIDC\].
pub const LOGIN_HOST: &str = "https://login.microsoftonline.com";
/// The issuer template of the multi-tenant documents \[AT\].
pub const ISSUER_TEMPLATE: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";
/// The tenant `consumers` stands for \[AT\].
pub const CONSUMERS_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
/// The multi-tenant values of `{tenant}` \[OIDC\].
pub const MULTI_TENANT: [&str; 3] = ["common", "organizations", "consumers"];
/// The authorize path below a tenant \[OIDC\].
pub const AUTHORIZE_PATH: &str = "/oauth2/v2.0/authorize";
/// The token path below a tenant \[OIDC\].
pub const TOKEN_PATH: &str = "/oauth2/v2.0/token";
/// The logout path below a tenant \[OIDC\].
pub const LOGOUT_PATH: &str = "/oauth2/v2.0/logout";
/// The keys path below a tenant \[OIDC\].
pub const KEYS_PATH: &str = "/discovery/v2.0/keys";
/// The discovery path below a tenant \[OIDC\].
pub const DISCOVERY_PATH: &str = "/v2.0/.well-known/openid-configuration";
/// The userinfo path (host `graph.microsoft.com`) \[UI\].
pub const USERINFO_PATH: &str = "/oidc/userinfo";
/// The claims userinfo answers \[UI\].
pub const USERINFO_CLAIMS: [&str; 6] = [
    "sub",
    "name",
    "family_name",
    "given_name",
    "picture",
    "email",
];
/// The logout parameters \[OIDC\].
pub const LOGOUT_PARAMS: [&str; 2] = ["post_logout_redirect_uri", "logout_hint"];
/// "ExpiredOrRevokedGrant - The refresh token has expired due to inactivity" \[ERR\].
pub const EXPIRED_OR_REVOKED_GRANT: u32 = 70008;
/// "OAuth2 Authorization code was already redeemed" \[ERR\].
pub const CODE_ALREADY_REDEEMED: u32 = 54005;
/// "Invalid client secret is provided" \[ERR\].
pub const INVALID_CLIENT_SECRET: u32 = 7000215;
/// "The application wasn't found in the directory/tenant" \[ERR\].
pub const APPLICATION_NOT_FOUND: u32 = 700016;
/// "The code_verifier doesn't match the code_challenge" \[ERR\].
pub const PKCE_MISMATCH: u32 = 50148;
/// The header member naming a certificate assertion's certificate by its SHA-1 thumbprint
/// \[CERT\].
pub const CERT_THUMBPRINT_HEADER: &str = "x5t";
/// "Request is malformed or invalid" \[ERR\].
pub const INVALID_REQUEST: u32 = 9002313;
/// A certificate assertion the application does not know: "Client assertion contains an
/// invalid signature", for a certificate not uploaded to the application \[CERTERR\].
pub const INVALID_CERTIFICATE_ASSERTION: u32 = 700027;
