//! The emulators, one folder or file per vendor, each behind its own feature: `oidc` (the
//! generic provider the others are built on), `genauth`, `tencent-ciam`, `huawei-oneaccess`.

#[cfg(any(feature = "wechat", feature = "dingtalk"))]
mod books;
#[cfg(feature = "dingtalk")]
pub mod dingtalk;
#[cfg(feature = "genauth")]
pub mod genauth;
#[cfg(feature = "huawei-oneaccess")]
pub mod huawei_oneaccess;
#[cfg(feature = "oidc")]
pub mod oidc;
#[cfg(feature = "tencent-ciam")]
pub mod tencent_ciam;
#[cfg(feature = "wechat")]
pub mod wechat;
