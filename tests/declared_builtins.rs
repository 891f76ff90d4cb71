//! WeChat and DingTalk declared in configuration alone (`[vendors.wechat-declared]`,
//! `[vendors.dingtalk-declared]`): each declaration makes the built-in description, passes the
//! testkit emulator's conformance checks, and signs in through the emulator's authorize page
//! with the exact sign-in URL.

#![cfg(all(
    feature = "wechat",
    feature = "dingtalk",
    feature = "github",
    feature = "apple"
))]

use std::sync::Arc;

use tokenbridge::adapter::{ErrorTable, FieldNames, VendorDescription};
use tokenbridge::{Config, ExposeSecret, Provider, Registry, TokenExchanger};
use tokenbridge_testkit::dingtalk::DingTalkEmulator;
use tokenbridge_testkit::run_all;
use tokenbridge_testkit::wechat::WeChatEmulator;

/// Reserved characters, so a query or JSON encoding mistake shows.
const SECRET: &str = "conformance \"secret\"+/:%";

/// WeChat's description, as a configuration file writes it: every value is WeChat's own
/// (docs/providers/wechat.md cites the pages).
const WECHAT: &str = r#"
[vendors.wechat-declared]
name = "WeChat"
authorize_path = "https://open.weixin.qq.com/connect/qrconnect"
token_path = "https://api.weixin.qq.com/sns/oauth2/access_token"
refresh_path = "https://api.weixin.qq.com/sns/oauth2/refresh_token"
userinfo_path = "https://api.weixin.qq.com/sns/userinfo"
auth_methods = ["client_secret_post"]
grants = ["authorization_code", "refresh_token"]
public_grants = []
default_scopes = ["snsapi_login"]
authorize_client_id_param = "appid"
authorize_fragment = "wechat_redirect"
authorize_scope_separator = ","
authorize_pkce = false
authorize_nonce = "never"
request_method = "get"
request_fields = { client_id = "appid", client_secret = "secret" }
request_omit_params = ["redirect_uri", "code_verifier"]
refresh_omits_secret = true
error_code_field = "errcode"
error_message_field = "errmsg"
success_codes = ["0"]
response_scope_separator = ","
userinfo_token_query = "access_token"
userinfo_params_from_tokens = { openid = "openid" }
userinfo_fields = { subject = "openid", name = "nickname", picture = "headimgurl" }

[vendors.wechat-declared.errors]
"40029" = "invalid_grant"
"40163" = { kind = "invalid_grant", inferred = true }
"42002" = { kind = "invalid_grant", inferred = true }
"40030" = { kind = "invalid_grant", inferred = true }
"40013" = "invalid_client"
"40125" = { kind = "invalid_client", inferred = true }
"-1" = "provider_unavailable"
"45011" = "rate_limited"
"45009" = "rate_limited"
"40001" = "invalid_token"
"40014" = "invalid_token"
"42001" = "invalid_token"
"40003" = "invalid_request"
"41001" = "invalid_request"
"41002" = "invalid_request"
"48001" = "access_denied"
"50002" = "access_denied"
"#;

/// DingTalk's description, as a configuration file writes it.
const DINGTALK: &str = r#"
[vendors.dingtalk-declared]
name = "DingTalk"
authorize_path = "https://login.dingtalk.com/oauth2/auth"
token_path = "https://api.dingtalk.com/v1.0/oauth2/userAccessToken"
userinfo_path = "https://api.dingtalk.com/v1.0/contact/users/me"
auth_methods = ["client_secret_post"]
grants = ["authorization_code", "refresh_token"]
public_grants = []
authorize_params = { prompt = "consent" }
authorize_pkce = false
authorize_nonce = "never"
callback_code_params = ["authCode"]
request_body = "json"
request_fields = { client_id = "clientId", client_secret = "clientSecret", grant_type = "grantType", refresh_token = "refreshToken" }
request_omit_params = ["redirect_uri", "code_verifier", "scope"]
response_fields = { access_token = "accessToken", refresh_token = "refreshToken", expires_in = "expireIn" }
error_code_field = "code"
error_message_field = "message"
request_id_fields = ["requestid"]
userinfo_token_header = "x-acs-dingtalk-access-token"
userinfo_fields = { subject = "openId", name = "nick", picture = "avatarUrl", email = "email", phone_number = "mobile" }

[vendors.dingtalk-declared.errors]
invalidAuthCode = { kind = "invalid_grant", inferred = true }
invalidRefreshToken = { kind = "invalid_grant", inferred = true }
"invalid.client" = { kind = "invalid_client", inferred = true }
"unsupported.grant.type" = { kind = "invalid_request", inferred = true }
InvalidAuthentication = { kind = "invalid_token", inferred = true }
"Forbidden.AccessDenied" = { kind = "access_denied", inferred = true }
Throttling = { kind = "rate_limited", inferred = true }
ServiceUnavailable = { kind = "provider_unavailable", inferred = true }
"#;

/// GitHub's description, as a configuration file writes it: the revocation shape, the email
/// lookup, the device endpoint and form-or-JSON answers.
const GITHUB: &str = r#"
[vendors.github-declared]
name = "GitHub"
authorize_path = "https://github.com/login/oauth/authorize"
token_path = "https://github.com/login/oauth/access_token"
device_authorization_path = "https://github.com/login/device/code"
userinfo_path = "https://api.github.com/user"
revocation_path = "https://api.github.com/applications/{client_id}/token"
auth_methods = ["client_secret_post", "none"]
grants = ["authorization_code", "refresh_token", "extension"]
public_grants = ["refresh_token", "extension"]
default_scopes = []
request_headers = { accept = "application/json" }
response_format = "auto"
response_scope_separator = ","
userinfo_headers = { accept = "application/vnd.github+json" }
userinfo_fields = { subject = "id", preferred_username = "login", picture = "avatar_url" }
userinfo_email_lookup = { path_suffix = "/emails" }
revocation_method = "delete"
revocation_body = "json"
revocation_token_param = "access_token"
revocation_type_hint = false
revocation_basic_auth = true
errors = { bad_verification_code = "invalid_grant", incorrect_client_credentials = "invalid_client", redirect_uri_mismatch = "invalid_grant", unverified_user_email = "access_denied", bad_refresh_token = "invalid_grant", incorrect_device_code = "invalid_grant", device_flow_disabled = "unsupported" }
"#;

/// Sign in with Apple's description: an absolute issuer, its ID-token algorithm and a nonce
/// on every sign-in (its ES256 client secret is the adapter's client authentication, not
/// description data).
const APPLE: &str = r#"
[vendors.apple-declared]
name = "Sign in with Apple"
authorize_path = "https://appleid.apple.com/auth/authorize"
token_path = "https://appleid.apple.com/auth/token"
revocation_path = "https://appleid.apple.com/auth/revoke"
jwks_path = "https://appleid.apple.com/auth/keys"
issuer_path = "https://appleid.apple.com"
auth_methods = ["client_secret_post"]
grants = ["authorization_code", "refresh_token"]
public_grants = []
default_scopes = ["name", "email"]
id_token_algorithms = ["RS256"]
authorize_nonce = "always"
errors = { user_cancelled_authorize = "access_denied" }
"#;

/// The provider `name` of kind `kind` declared by `declaration`, pointed at `base`.
fn declared(declaration: &str, kind: &str, client_id: &str, base: &str) -> Provider {
    let toml = format!(
        r#"{declaration}
[providers.declared]
kind = "{kind}"
base_url = "{base}"
client_id = "{client_id}"
client_secret_env = "DECLARED_SECRET"
redirect_uri = "http://127.0.0.1:1/callback"
"#
    );
    let config = Config::from_toml_str(&toml).unwrap();
    Registry::new()
        .with_env(|name| (name == "DECLARED_SECRET").then(|| SECRET.to_owned()))
        .build(&config, "declared")
        .unwrap()
}

/// A description with its lists in one order, since a declaration's tables come in key order.
fn sorted(d: &VendorDescription) -> String {
    fn pairs(names: FieldNames) -> FieldNames {
        let mut v = names.0.to_vec();
        v.sort();
        FieldNames(Box::leak(v.into_boxed_slice()))
    }
    let mut d = *d;
    d.kind = "";
    d.token_request.fields = pairs(d.token_request.fields);
    d.token_response.fields = pairs(d.token_response.fields);
    d.userinfo.fields = pairs(d.userinfo.fields);
    let mut errors = d.errors.0.to_vec();
    errors.sort_by_key(|m| m.code);
    d.errors = ErrorTable(Box::leak(errors.into_boxed_slice()));
    format!("{d:#?}")
}

#[test]
fn the_declarations_make_the_built_in_descriptions() {
    let wechat = declared(WECHAT, "wechat-declared", "wx", "https://example.com");
    assert_eq!(wechat.vendor().kind, "wechat-declared");
    assert_eq!(
        sorted(wechat.vendor()),
        sorted(&tokenbridge::wechat::DESCRIPTION)
    );
    let dingtalk = declared(DINGTALK, "dingtalk-declared", "ding", "https://example.com");
    assert_eq!(
        sorted(dingtalk.vendor()),
        sorted(&tokenbridge::dingtalk::DESCRIPTION)
    );
    let github = declared(GITHUB, "github-declared", "gh", "https://example.com");
    assert_eq!(
        sorted(github.vendor()),
        sorted(&tokenbridge::github::DESCRIPTION)
    );
    let apple = declared(
        APPLE,
        "apple-declared",
        "com.example",
        "https://example.com",
    );
    assert_eq!(
        sorted(apple.vendor()),
        sorted(&tokenbridge_apple::DESCRIPTION)
    );
}

#[tokio::test]
async fn declared_wechat_passes_the_wechat_emulators_conformance_checks() {
    let wechat = WeChatEmulator::start().await.unwrap();
    wechat.register_app("wx-declared", SECRET);
    let provider = declared(WECHAT, "wechat-declared", "wx-declared", &wechat.base());
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(provider);
    let report = run_all(exchanger, &wechat.target("wx-declared"))
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert_eq!(
        report.passed,
        [
            "code_exchange",
            "code_is_one_time",
            "refresh",
            "bad_refresh_token",
            "unsupported_grant",
            "object_safe",
        ],
        "{report:?}"
    );
    assert_eq!(report.skipped, ["pkce", "one_time_extension"]);
}

#[tokio::test]
async fn declared_dingtalk_passes_the_dingtalk_emulators_conformance_checks() {
    let dingtalk = DingTalkEmulator::start().await.unwrap();
    dingtalk.register_app("ding-declared", SECRET);
    let provider = declared(
        DINGTALK,
        "dingtalk-declared",
        "ding-declared",
        &dingtalk.base(),
    );
    let exchanger: Arc<dyn TokenExchanger> = Arc::new(provider);
    let report = run_all(exchanger, &dingtalk.target("ding-declared"))
        .await
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert_eq!(
        report.passed,
        [
            "code_exchange",
            "code_is_one_time",
            "refresh",
            "bad_refresh_token",
            "unsupported_grant",
            "object_safe",
        ],
        "{report:?}"
    );
    assert_eq!(report.skipped, ["pkce", "one_time_extension"]);
}

/// Follows the emulator's authorize page to its callback, as a browser would.
async fn callback_of(url: &tokenbridge::Url) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client.get(url.clone()).send().await.unwrap();
    assert_eq!(answer.status(), 303);
    answer.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn declared_wechat_signs_in_with_the_exact_qr_login_url() {
    let wechat = WeChatEmulator::start().await.unwrap();
    wechat.register_app("wx-declared", SECRET);
    let provider = declared(WECHAT, "wechat-declared", "wx-declared", &wechat.base());
    let request = provider.authorization_request().build().await.unwrap();
    let state = request.pending.state().expose_secret().to_owned();
    assert_eq!(
        request.url.as_str(),
        format!(
            "{}/connect/qrconnect?response_type=code&appid=wx-declared\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback&scope=snsapi_login\
             &state={state}#wechat_redirect",
            wechat.base()
        )
    );
    let callback = callback_of(&request.url).await;
    let login = provider
        .complete_login(&callback, request.pending)
        .await
        .unwrap();
    assert!(login.id_token.is_none());
    assert_eq!(
        login.tokens.extra()["openid"],
        wechat
            .openid("wx-declared", tokenbridge_testkit::wechat::DEMO_USER)
            .as_str()
    );
}

#[tokio::test]
async fn declared_dingtalk_signs_in_with_the_exact_authorize_url_and_auth_code() {
    let dingtalk = DingTalkEmulator::start().await.unwrap();
    dingtalk.register_app("ding-declared", SECRET);
    let provider = declared(
        DINGTALK,
        "dingtalk-declared",
        "ding-declared",
        &dingtalk.base(),
    );
    let request = provider.authorization_request().build().await.unwrap();
    let state = request.pending.state().expose_secret().to_owned();
    assert_eq!(
        request.url.as_str(),
        format!(
            "{}/oauth2/auth?response_type=code&client_id=ding-declared\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback&scope=openid\
             &state={state}&prompt=consent",
            dingtalk.base()
        )
    );
    let callback = callback_of(&request.url).await;
    assert!(callback.contains("authCode="), "{callback}");
    let login = provider
        .complete_login(&callback, request.pending)
        .await
        .unwrap();
    assert!(login.tokens.refresh_token().is_some());
}

#[tokio::test]
async fn absolute_endpoints_need_no_base_url() {
    let toml = format!(
        "{WECHAT}\n[providers.wx]\nkind = \"wechat-declared\"\nclient_id = \"wx\"\nclient_secret = \"s\"\n"
    );
    let config = Config::from_toml_str(&toml).unwrap();
    let provider = Registry::new().build(&config, "wx").unwrap();
    let endpoints = provider.endpoints().await.unwrap();
    assert_eq!(
        endpoints.token.as_str(),
        "https://api.weixin.qq.com/sns/oauth2/access_token"
    );
}

#[test]
fn each_new_key_is_checked_and_named_in_its_error() {
    let cases = [
        (
            ("authorize_nonce = \"never\"", "authorize_nonce = \"sometimes\""),
            "configuration error in `vendors.wechat-declared.authorize_nonce`: \"sometimes\" is not one of: never, with_openid, always",
        ),
        (
            ("authorize_pkce = false", "authorize_pkce = \"no\""),
            "configuration error in `vendors.wechat-declared.authorize_pkce`: expected true or false",
        ),
        (
            ("grants = [\"authorization_code\", \"refresh_token\"]", "grants = [\"password\"]"),
            "configuration error in `vendors.wechat-declared.grants`: unknown grant \"password\"; expected one of: authorization_code, refresh_token, client_credentials, extension",
        ),
        (
            ("token_path = \"https://api.weixin.qq.com/sns/oauth2/access_token\"", "token_path = \"https:///sns/oauth2/access_token\""),
            "configuration error in `vendors.wechat-declared.token_path`: an absolute URL needs a host: https://HOST/PATH",
        ),
        (
            ("token_path = \"https://api.weixin.qq.com/sns/oauth2/access_token\"", "token_path = \"http://api.weixin.qq.com/sns/oauth2/access_token\""),
            "configuration error in `vendors.wechat-declared.token_path`: expected a path below base_url, starting with `/`, or an absolute https:// URL",
        ),
        (
            ("request_omit_params = [\"redirect_uri\", \"code_verifier\"]", "request_omit_params = [\"redirect\"]"),
            "configuration error in `vendors.wechat-declared.request_omit_params`: \"redirect\" is not a standard parameter; expected some of: client_id, client_secret, grant_type, code, refresh_token, redirect_uri, code_verifier, scope",
        ),
        (
            ("response_scope_separator = \",\"", "response_scope_separator = \", \""),
            "configuration error in `vendors.wechat-declared.response_scope_separator`: expected one character, e.g. \",\"",
        ),
        (
            ("\"40163\" = { kind = \"invalid_grant\", inferred = true }", "\"40163\" = { kind = \"invalid_grant\", inferred = \"yes\" }"),
            "configuration error in `vendors.wechat-declared.errors.40163.inferred`: expected true or false",
        ),
        (
            ("authorize_fragment = \"wechat_redirect\"", "userinfo_email_lookup = { address_field = \"mail\" }"),
            "configuration error in `vendors.wechat-declared.userinfo_email_lookup.path_suffix`: missing; the path appended to the userinfo endpoint's, e.g. \"/emails\"",
        ),
        (
            ("authorize_fragment = \"wechat_redirect\"", "revocation_method = \"put\""),
            "configuration error in `vendors.wechat-declared.revocation_method`: \"put\" is not one of: post, get, delete",
        ),
        (
            ("authorize_fragment = \"wechat_redirect\"", "logout_client_id_param = true"),
            "configuration error in `vendors.wechat-declared.logout_client_id_param`: expected a parameter name, or false for none",
        ),
        (
            ("authorize_fragment = \"wechat_redirect\"", "id_token_algorithms = [\"none\"]"),
            "configuration error in `vendors.wechat-declared.id_token_algorithms`: unknown algorithm \"none\"; expected RS256, PS256, ES256, EdDSA or HS256",
        ),
    ];
    for ((from, to), expected) in cases {
        assert!(WECHAT.contains(from), "{from}");
        let err = Config::from_toml_str(&WECHAT.replace(from, to)).unwrap_err();
        assert_eq!(err.kind(), tokenbridge::ErrorKind::Configuration, "{to}");
        assert_eq!(err.to_string(), expected);
    }
}
