//! The exact requests the GitHub adapter sends and the exact errors it returns, against the
//! emulator through `base_url`.

use std::time::Duration;

use serde_json::json;
use tokenbridge_core::{
    ErrorKind, ExposeSecret, Grant, Provider, SecretString, TokenExchanger, TokenTypeHint,
};
use tokenbridge_testkit::facts::github as facts;
use tokenbridge_testkit::github::{
    GitHubEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_LOGIN, DEMO_PRIMARY_EMAIL,
    DEMO_REDIRECT_URI, DEMO_USER_ID, DEVICE_CODE_PATH, EMAILS_PATH, TOKEN_PATH, USER_PATH,
};
use tokenbridge_testkit::Reply;

fn provider(github: &GitHubEmulator) -> Provider {
    tokenbridge_github::builder("github")
        .base_url(github.base())
        .client_id(DEMO_CLIENT_ID)
        .client_secret(SecretString::from(DEMO_CLIENT_SECRET))
        .redirect_uri(DEMO_REDIRECT_URI)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_code_exchange_asks_for_json_and_reads_expiring_tokens() {
    let github = GitHubEmulator::start().await.unwrap();
    let code = github.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI, "read:user", None);
    let tokens = provider(&github)
        .exchange(Grant::authorization_code(code.clone(), DEMO_REDIRECT_URI))
        .await
        .unwrap();
    let sent = github.requests_to(TOKEN_PATH);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].header("accept"), Some("application/json"));
    assert_eq!(
        sent[0].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        sent[0].form(),
        [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", DEMO_REDIRECT_URI),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert_eq!(
        tokens.expires_in(),
        Some(Duration::from_secs(facts::EXPIRES_IN))
    );
    assert!(tokens
        .refresh_token()
        .unwrap()
        .expose_secret()
        .starts_with("ghr_"));
    assert_eq!(
        tokens.extra()["refresh_token_expires_in"],
        json!(facts::REFRESH_TOKEN_EXPIRES_IN)
    );
}

#[tokio::test]
async fn a_form_encoded_answer_is_read_too() {
    let github = GitHubEmulator::start().await.unwrap();
    github.script_token_reply(Reply::raw(
        200,
        "application/x-www-form-urlencoded; charset=utf-8",
        "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cgist&token_type=bearer",
    ));
    let tokens = provider(&github)
        .exchange(Grant::authorization_code("c-1", DEMO_REDIRECT_URI))
        .await
        .unwrap();
    assert_eq!(
        tokens.access_token().expose_secret(),
        "gho_16C7e42F292c6912E7710c838347Ae178B4a"
    );
    assert_eq!(tokens.expires_in(), None);
}

#[tokio::test]
async fn the_documented_errors_have_their_kinds_and_hide_what_was_sent() {
    let github = GitHubEmulator::start().await.unwrap();
    let p = provider(&github);
    let cases = [
        (facts::BAD_VERIFICATION_CODE, ErrorKind::InvalidGrant),
        (
            facts::INCORRECT_CLIENT_CREDENTIALS,
            ErrorKind::InvalidClient,
        ),
        (facts::REDIRECT_URI_MISMATCH, ErrorKind::InvalidGrant),
        (facts::UNVERIFIED_USER_EMAIL, ErrorKind::AccessDenied),
        (
            (
                facts::BAD_REFRESH_TOKEN,
                "The refresh token passed is incorrect or expired.",
            ),
            ErrorKind::InvalidGrant,
        ),
    ];
    for ((code, description), kind) in cases {
        github.fail_next_token_request(code, description);
        let error = p
            .exchange(Grant::authorization_code("c-sent-1", DEMO_REDIRECT_URI))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), kind, "{code}: {error}");
        let tokenbridge_core::Error::OAuth(oauth) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(oauth.code().as_str(), code);
        assert_eq!(oauth.description(), Some(description));
        assert_eq!(oauth.status(), Some(200));
        assert!(!error.is_retryable());
    }
    // The emulator's own refusal of an unknown code, with HTTP 200, and a secret echoed back.
    let error = p
        .exchange(Grant::authorization_code(
            "c-never-issued",
            DEMO_REDIRECT_URI,
        ))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidGrant);
    github.fail_next_token_request(
        "incorrect_client_credentials",
        &format!("client_secret {DEMO_CLIENT_SECRET} is wrong for code c-echo-1"),
    );
    let error = p
        .exchange(Grant::authorization_code("c-echo-1", DEMO_REDIRECT_URI))
        .await
        .unwrap_err();
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(DEMO_CLIENT_SECRET), "{shown}");
        assert!(!shown.contains("c-echo-1"), "{shown}");
    }
}

#[tokio::test]
async fn a_busy_or_limiting_github_is_retryable() {
    let github = GitHubEmulator::start().await.unwrap();
    let p = provider(&github);
    github.script_token_reply(Reply::raw(503, "text/html", "<h1>Unicorn!</h1>"));
    let error = p.exchange(Grant::refresh_token("ghr_x")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ProviderUnavailable);
    github.script_token_reply(Reply::json(429, json!({"message": "rate limited"})));
    let error = p.exchange(Grant::refresh_token("ghr_x")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
}

#[tokio::test]
async fn a_refresh_rotates_and_the_old_access_token_stops_working() {
    let github = GitHubEmulator::start().await.unwrap();
    let p = provider(&github);
    let code = github.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI, "", None);
    let first = p
        .exchange(Grant::authorization_code(code, DEMO_REDIRECT_URI))
        .await
        .unwrap();
    let refresh = first.refresh_token().unwrap().expose_secret().to_owned();
    let second = p
        .exchange(Grant::refresh_token(refresh.clone()))
        .await
        .unwrap();
    assert_eq!(
        github.requests_to(TOKEN_PATH)[1].form(),
        [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert!(!github.is_active(first.access_token().expose_secret()));
    assert!(github.is_active(second.access_token().expose_secret()));
    let again = p.exchange(Grant::refresh_token(refresh)).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::InvalidGrant);
}

#[tokio::test]
async fn userinfo_sends_the_user_agent_and_the_github_media_type() {
    let github = GitHubEmulator::start().await.unwrap();
    github.set_public_email(Some("octocat@example.com"));
    let token = github.issue_access_token("read:user");
    let identity = provider(&github)
        .userinfo(&SecretString::from(token.clone()))
        .await
        .unwrap();
    let sent = github.requests_to(USER_PATH);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "GET");
    assert_eq!(
        sent[0].header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert_eq!(
        sent[0].header("accept"),
        Some("application/vnd.github+json")
    );
    assert!(
        sent[0]
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("tokenbridge/")),
        "{sent:?}"
    );
    // A public email: no second request.
    assert!(github.requests_to(EMAILS_PATH).is_empty());
    assert_eq!(identity.subject, DEMO_USER_ID.to_string());
    assert_eq!(identity.preferred_username.as_deref(), Some(DEMO_LOGIN));
    assert_eq!(identity.name.as_deref(), Some("The Octocat"));
    assert_eq!(identity.email.as_deref(), Some("octocat@example.com"));
    assert_eq!(identity.claims["id"], json!(DEMO_USER_ID));
}

#[tokio::test]
async fn a_private_email_is_the_primary_verified_one_of_the_list() {
    let github = GitHubEmulator::start().await.unwrap();
    let p = provider(&github);
    let token = SecretString::from(github.issue_access_token("user:email"));
    let identity = p.userinfo(&token).await.unwrap();
    assert_eq!(identity.email.as_deref(), Some(DEMO_PRIMARY_EMAIL));
    assert_eq!(identity.email_verified, Some(true));
    let sent = github.requests_to(EMAILS_PATH);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "GET");
    assert_eq!(
        sent[0].header("accept"),
        Some("application/vnd.github+json")
    );
    assert!(sent[0].header("authorization").is_some());

    // A primary address that is not verified is not taken.
    github.set_emails(json!([
        {"email": "new@example.com", "primary": true, "verified": false, "visibility": "private"},
        {"email": "old@example.com", "primary": false, "verified": true, "visibility": null},
    ]));
    assert_eq!(p.userinfo(&token).await.unwrap().email, None);
    // A token that may not read the list: no email, no error.
    github.set_emails_forbidden(true);
    let identity = p.userinfo(&token).await.unwrap();
    assert_eq!(identity.email, None);
    assert_eq!(identity.subject, DEMO_USER_ID.to_string());
}

#[tokio::test]
async fn a_refused_token_is_invalid_token() {
    let github = GitHubEmulator::start().await.unwrap();
    let error = provider(&github)
        .userinfo(&SecretString::from("ghu_never_issued"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidToken);
    assert!(!error.to_string().contains("ghu_never_issued"));
}

#[tokio::test]
async fn revocation_deletes_the_token_with_basic_auth_and_a_json_body() {
    let github = GitHubEmulator::start().await.unwrap();
    let p = provider(&github);
    let token = github.issue_access_token("");
    p.revoke(
        &SecretString::from(token.clone()),
        Some(TokenTypeHint::AccessToken),
    )
    .await
    .unwrap();
    let path = GitHubEmulator::revoke_path(DEMO_CLIENT_ID);
    let sent = github.requests_to(&path);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "DELETE");
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
    assert_eq!(sent[0].json(), json!({"access_token": token}));
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}"));
    assert_eq!(
        sent[0].header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
    assert!(!github.is_active(&token));
    // A token GitHub does not know (inferred 404) is an error naming no token.
    let error = p
        .revoke(&SecretString::from("ghu_unknown"), None)
        .await
        .unwrap_err();
    assert!(!error.to_string().contains("ghu_unknown"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn the_device_flow_polls_until_the_user_approves() {
    let github = GitHubEmulator::start().await.unwrap();
    let p = tokenbridge_github::builder("github")
        .base_url(github.base())
        .client_id(DEMO_CLIENT_ID)
        .scopes(["read:user"])
        .build()
        .unwrap();
    let authorization = p.start_device_authorization(None).await.unwrap();
    let sent = github.requests_to(DEVICE_CODE_PATH);
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].header("accept"), Some("application/json"));
    assert_eq!(
        sent[0].form(),
        [("scope", "read:user"), ("client_id", DEMO_CLIENT_ID)]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert_eq!(
        authorization.verification_uri,
        facts::DEVICE_VERIFICATION_URI
    );
    assert_eq!(
        authorization.interval,
        Duration::from_secs(facts::DEVICE_INTERVAL)
    );
    let user_code = authorization.user_code.clone();
    let approve = async {
        // The user enters the code after two polls.
        tokio::time::sleep(Duration::from_secs(12)).await;
        assert!(github.approve_device(&user_code));
    };
    let (tokens, ()) = tokio::join!(p.poll_device_authorization(&authorization), approve);
    let tokens = tokens.unwrap();
    assert!(tokens.refresh_token().is_some());
    let polls = github.requests_to(TOKEN_PATH);
    assert_eq!(polls.len(), 3, "{polls:?}");
    assert_eq!(
        polls[0].form_param("grant_type").as_deref(),
        Some(facts::DEVICE_GRANT_TYPE)
    );
    // A device-flow refresh token is refreshed without a secret.
    let refresh = tokens.refresh_token().unwrap().expose_secret().to_owned();
    p.exchange(Grant::refresh_token(refresh)).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_code_older_than_ten_minutes_is_refused() {
    let github = GitHubEmulator::start().await.unwrap();
    let p = provider(&github);
    let code = github.issue_code(DEMO_CLIENT_ID, DEMO_REDIRECT_URI, "", None);
    tokio::time::advance(Duration::from_secs(601)).await;
    let error = p
        .exchange(Grant::authorization_code(code, DEMO_REDIRECT_URI))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidGrant);
    let tokenbridge_core::Error::OAuth(oauth) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(oauth.code().as_str(), "bad_verification_code");
}
