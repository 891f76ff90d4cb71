//! The emulators, one folder or file per vendor, each behind its own feature: `oidc` (the
//! generic provider the OpenID Connect vendors are built on), `genauth`, `tencent-ciam`,
//! `huawei-oneaccess`, `wechat`, `dingtalk`, `feishu`, `github`, `apple`, `entra`, `google`.

#[cfg(feature = "apple")]
pub mod apple;
#[cfg(any(feature = "wechat", feature = "dingtalk"))]
mod books;
#[cfg(feature = "dingtalk")]
pub mod dingtalk;
#[cfg(feature = "entra")]
pub mod entra;
#[cfg(feature = "feishu")]
pub mod feishu;
#[cfg(feature = "genauth")]
pub mod genauth;
#[cfg(feature = "github")]
pub mod github;
#[cfg(feature = "google")]
pub mod google;
#[cfg(feature = "huawei-oneaccess")]
pub mod huawei_oneaccess;
#[cfg(feature = "oidc")]
pub mod oidc;
#[cfg(feature = "tencent-ciam")]
pub mod tencent_ciam;
#[cfg(feature = "wechat")]
pub mod wechat;

/// A token suffix no earlier run handed out: the counter `n` and the clock.
#[cfg(any(feature = "feishu", feature = "github"))]
pub(crate) fn unique(n: u64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{n:06}{nanos:08x}")
}

/// RFC 7636's S256 challenge of `verifier`.
#[cfg(any(feature = "feishu", feature = "github"))]
pub(crate) fn s256(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}
