//! The emulators, one folder or file per vendor, each behind its own feature: `oidc` (the
//! generic provider the others are built on), `genauth`, `tencent-ciam`, `huawei-oneaccess`.

#[cfg(feature = "apple")]
pub mod apple;
#[cfg(any(feature = "wechat", feature = "dingtalk"))]
mod books;
#[cfg(feature = "dingtalk")]
pub mod dingtalk;
#[cfg(feature = "entra")]
pub mod entra;
#[cfg(feature = "genauth")]
pub mod genauth;
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
