//! Who signed in, at a configured provider: its ID-token verifier (issuer, algorithms, keys)
//! and its userinfo endpoint.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;

use crate::error::{Error, Result};
use crate::error::{IdTokenError, SigningAlgorithm};
use crate::model::token::{TokenSet, TokenType};
use crate::protocol::id_token::{Clock, IdTokenVerifier, VerifiedIdToken, VerifyOptions};
use crate::protocol::identity::{token_refusal, userinfo_error, Identity};
use crate::protocol::jwks::{HttpJwksSource, JwksCache};
use crate::transport::request::TokenRequest;
use crate::transport::url::{ensure_secure_url, parse_secure_url};
use crate::transport::wire::unreadable;

use super::Provider;

/// The identity settings of a provider: how its ID tokens are checked, and the verifier
/// built from them on first use.
#[derive(Default)]
pub(crate) struct IdentitySettings {
    /// `id_token_signed_response_alg`, when configured.
    pub(crate) algorithm: Option<SigningAlgorithm>,
    /// The client secret, the key of HS256 ID tokens.
    pub(crate) client_secret: Option<SecretString>,
    /// The clock-skew leeway, when not the default.
    pub(crate) leeway: Option<Duration>,
    /// Where "now" comes from, when not the system clock.
    pub(crate) clock: Option<Arc<dyn Clock>>,
    /// The verifier, built once.
    /// The vendor's rules on `iss` and other claims, when not the exact issuer.
    pub(crate) rules: Option<Arc<dyn crate::protocol::id_token::IdTokenRules>>,
    pub(crate) verifier: OnceCell<IdTokenVerifier>,
}

impl fmt::Debug for IdentitySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentitySettings")
            .field("algorithm", &self.algorithm)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("leeway", &self.leeway)
            .field("clock", &self.clock)
            .field("verifier", &self.verifier.get())
            .finish()
    }
}

impl Provider {
    /// The ID-token verifier of this provider, built on first use and kept:
    ///
    /// - issuer: the discovery document's, else the configured issuer, else the vendor's
    ///   documented one ([`VendorDescription::issuer_path`](crate::VendorDescription::issuer_path)
    ///   below the base URL);
    /// - audience: the client id;
    /// - algorithms: the configured `id_token_signed_response_alg`, else the vendor's
    ///   documented default
    ///   ([`VendorDescription::id_token_algorithms`](crate::VendorDescription::id_token_algorithms),
    ///   HS256 only with a client secret), else those discovery lists in
    ///   `id_token_signing_alg_values_supported` (never `none`, never HS256), else RS256;
    ///   HS256 is verified with the client secret only, the others with the JWKS only;
    /// - keys: the provider's JWKS (its description's path or discovery's `jwks_uri`),
    ///   fetched with the provider's HTTP client, cached, and fetched again on an unknown
    ///   `kid` at most once a minute.
    ///
    /// Discovery is fetched only when one of these is not known otherwise.
    /// [`Error::Unsupported`] when the provider has no JWKS and the algorithm needs one.
    pub async fn id_token_verifier(&self) -> Result<&IdTokenVerifier> {
        let settings = self.identity_settings();
        settings
            .verifier
            .get_or_try_init(|| self.build_id_token_verifier(settings))
            .await
    }

    async fn build_id_token_verifier(&self, s: &IdentitySettings) -> Result<IdTokenVerifier> {
        let vendor = self.vendor();
        let known_issuer = self
            .configured_issuer()
            .or_else(|| self.vendor_issuer())
            .map(str::to_owned);
        let fixed_jwks = self.endpoints().await?.jwks.clone();
        // Configured, else the vendor's documented default, else (`None`) discovery's list.
        let chosen: Option<BTreeSet<SigningAlgorithm>> = match s.algorithm {
            Some(a) => Some(BTreeSet::from([a])),
            None => vendor_default_algorithms(vendor, s.client_secret.as_ref()),
        };
        let needs_keys = chosen
            .as_ref()
            .is_none_or(|set| set.iter().any(|a| !a.is_symmetric()));
        let needs_metadata =
            known_issuer.is_none() || chosen.is_none() || (needs_keys && fixed_jwks.is_none());
        let metadata = if needs_metadata {
            self.metadata().await?
        } else {
            None
        };
        let issuer = metadata
            .and_then(|m| m.issuer.clone())
            .or(known_issuer)
            .ok_or_else(|| {
                self.unsupported(
                    "ID-token verification",
                    format!(
                        "the issuer of {}'s ID tokens is unknown: configure issuer (discovery)",
                        vendor.name
                    ),
                )
            })?;
        let algorithms = chosen.unwrap_or_else(|| builder_algorithms(metadata));
        let mut builder = IdTokenVerifier::builder(issuer, self.client_id())
            .algorithms(algorithms.iter().copied());
        if algorithms.contains(&SigningAlgorithm::Hs256) {
            let secret = s.client_secret.clone().ok_or_else(|| {
                Error::config(
                    "client_secret",
                    "HS256 ID tokens (id_token_signed_response_alg) are verified with the client \
                     secret, and none is configured",
                )
            })?;
            builder = builder.client_secret(secret);
        }
        if algorithms.iter().any(|a| !a.is_symmetric()) {
            let url = match fixed_jwks {
                Some(url) => url,
                None => match metadata.and_then(|m| m.jwks_uri.as_deref()) {
                    Some(uri) => parse_secure_url(uri, "jwks_uri (from discovery)")?,
                    None => {
                        return Err(self.unsupported(
                            "ID-token verification",
                            format!(
                                "{} has no JWKS (jwks_uri) in its description or discovery \
                                 document, so {} signatures cannot be checked",
                                vendor.name,
                                algorithms
                                    .iter()
                                    .map(|a| a.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ))
                    }
                },
            };
            ensure_secure_url(&url, "jwks_uri")?;
            builder = builder.jwks(JwksCache::new(Arc::new(HttpJwksSource::new(
                self.http().clone(),
                url,
            ))));
        }
        if let Some(rules) = &s.rules {
            builder = builder.rules(Arc::clone(rules));
        }
        if let Some(leeway) = s.leeway {
            builder = builder.leeway(leeway);
        }
        if let Some(clock) = &s.clock {
            builder = builder.clock(Arc::clone(clock));
        }
        builder.build()
    }

    /// Verifies an ID token from this provider (OpenID Connect Core 3.1.3.7) with
    /// [`Provider::id_token_verifier`]. A refused token is an [`Error::IdToken`] whose
    /// [`IdTokenError::check`] names the check that failed.
    pub async fn verify_id_token(
        &self,
        token: &str,
        options: VerifyOptions<'_>,
    ) -> Result<VerifiedIdToken> {
        let verifier = self.id_token_verifier().await?;
        Ok(verifier.verify(token, &options).await?)
    }

    /// Verifies the ID token a sign-in returned, if any, with the login's `nonce` and the
    /// access token (`at_hash`). `None` when there is no ID token, or when the provider has
    /// no way to verify one (no JWKS): then nothing about the user is claimed.
    pub(crate) async fn verify_login_id_token(
        &self,
        tokens: &TokenSet,
        nonce: Option<&SecretString>,
    ) -> Result<Option<VerifiedIdToken>> {
        let Some(id_token) = tokens.id_token() else {
            return Ok(None);
        };
        let verifier = match self.id_token_verifier().await {
            Ok(v) => v,
            Err(Error::Unsupported { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut options = VerifyOptions::new().access_token(tokens.access_token().expose_secret());
        if let Some(nonce) = nonce {
            options = options.nonce(nonce.expose_secret());
        }
        Ok(Some(
            verifier.verify(id_token.expose_secret(), &options).await?,
        ))
    }

    /// Asks the userinfo endpoint who `access_token` belongs to (OpenID Connect Core 5.3):
    /// `GET` with `Authorization: Bearer` and `Accept: application/json`, normalized by the
    /// vendor's [`VendorHooks::parse_userinfo`](crate::VendorHooks::parse_userinfo).
    ///
    /// A refused access token is [`ErrorKind::InvalidToken`](crate::ErrorKind::InvalidToken); [`Error::Unsupported`], with
    /// nothing sent, when the provider has no userinfo endpoint.
    pub async fn userinfo(&self, access_token: &SecretString) -> Result<Identity> {
        let tokens = TokenSet::new(self.id(), access_token.expose_secret(), TokenType::Bearer);
        self.userinfo_with_tokens(&tokens).await
    }

    /// [`Provider::userinfo`] with the access token of `tokens`, as its type says: `Bearer`,
    /// or, for a DPoP-bound token (RFC 9449 section 7.1), `Authorization: DPoP <token>` and a
    /// `DPoP` proof from the tokens' key carrying `ath`. When the endpoint answers
    /// `use_dpop_nonce` with a `DPoP-Nonce`, the request is made once more with a proof
    /// carrying that nonce (a `GET` that changes nothing, so repeating it is safe).
    pub async fn userinfo_with_tokens(&self, tokens: &TokenSet) -> Result<Identity> {
        let vendor = self.vendor();
        let url = match self.endpoints().await?.userinfo.clone() {
            Some(url) => url,
            None => match self
                .metadata()
                .await?
                .and_then(|m| m.userinfo_endpoint.as_deref())
            {
                Some(uri) => parse_secure_url(uri, "userinfo_endpoint (from discovery)")?,
                None => {
                    return Err(self.unsupported(
                        "userinfo",
                        format!(
                            "{} has no userinfo endpoint in its description or discovery document",
                            vendor.name
                        ),
                    ))
                }
            },
        };
        ensure_secure_url(&url, "userinfo_endpoint")?;
        let build = |nonce: Option<&str>| -> Result<TokenRequest> {
            let mut request =
                crate::protocol::userinfo::userinfo_request(&url, tokens, &vendor.userinfo, nonce)?;
            vendor.hooks.prepare_userinfo_request(&mut request)?;
            Ok(request)
        };
        let mut response = self.http().send(&build(None)?).await?;
        if tokens.token_type() == &TokenType::DPoP && response.status() == 401 {
            let error = userinfo_error(&response);
            if let (true, Some(nonce)) = (
                crate::protocol::dpop::is_use_dpop_nonce(&error),
                crate::protocol::dpop::nonce_from(response.headers()),
            ) {
                response = self.http().send(&build(Some(&nonce))?).await?;
            }
        }
        let identity = vendor
            .hooks
            .parse_userinfo(&response, vendor)
            .map_err(|e| token_refusal(vendor.errors.classify(e)))?;
        let identity = match self.subject_claim_name() {
            Some(claim) => identity
                .with_subject_from(claim)
                .map_err(|why| unreadable(&response, format!("not a userinfo answer: {why}")))?,
            None => identity,
        };
        match vendor.userinfo.email_lookup {
            Some(lookup) if identity.email.is_none() => {
                super::userinfo_email::add_primary_email(self, &url, tokens, identity, &lookup)
                    .await
            }
            _ => Ok(identity),
        }
    }

    /// The identity a verified ID token names, with the subject from
    /// [`ProviderBuilder::subject_claim`](crate::ProviderBuilder::subject_claim) when one is
    /// configured ([`Error::IdToken`] when the token lacks that claim).
    pub fn identity_from_id_token(&self, id_token: &VerifiedIdToken) -> Result<Identity> {
        let identity = Identity::from(id_token);
        match self.subject_claim_name() {
            Some(claim) => identity.with_subject_from(claim).map_err(|why| {
                IdTokenError::Malformed {
                    reason: why.to_string(),
                }
                .into()
            }),
            None => Ok(identity),
        }
    }

    /// [`Provider::userinfo`], checked against the verified ID token of the same sign-in:
    /// an answer for another `sub` is an error (OpenID Connect Core 5.3.4).
    pub async fn userinfo_for(
        &self,
        access_token: &SecretString,
        id_token: &VerifiedIdToken,
    ) -> Result<Identity> {
        let identity = self.userinfo(access_token).await?;
        identity.ensure_same_subject(id_token)?;
        Ok(identity)
    }
}

/// The vendor's documented default ID-token algorithms, without HS256 when the client has no
/// secret to verify it with (a public client); `None` when the vendor documents none, or
/// when nothing is left.
fn vendor_default_algorithms(
    vendor: &crate::VendorDescription,
    client_secret: Option<&SecretString>,
) -> Option<BTreeSet<SigningAlgorithm>> {
    let has_secret = client_secret.is_some_and(|s| !s.expose_secret().is_empty());
    let set: BTreeSet<SigningAlgorithm> = vendor
        .id_token_algorithms
        .iter()
        .copied()
        .filter(|a| has_secret || !a.is_symmetric())
        .collect();
    (!set.is_empty()).then_some(set)
}

/// The algorithms [`IdTokenVerifierBuilder::algorithms_from_metadata`] picks, for deciding
/// which keys the verifier needs.
///
/// [`IdTokenVerifierBuilder::algorithms_from_metadata`]: crate::IdTokenVerifierBuilder::algorithms_from_metadata
fn builder_algorithms(
    metadata: Option<&crate::protocol::discovery::ProviderMetadata>,
) -> BTreeSet<SigningAlgorithm> {
    let listed: BTreeSet<SigningAlgorithm> = metadata
        .and_then(|m| m.id_token_signing_alg_values_supported.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|a| a.parse::<SigningAlgorithm>().ok())
        .filter(|a| !a.is_symmetric())
        .collect();
    if listed.is_empty() {
        BTreeSet::from([SigningAlgorithm::Rs256])
    } else {
        listed
    }
}
