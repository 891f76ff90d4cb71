//! The vendors' documented facts (paths, parameter spellings, error codes), written out here
//! with the URL of the page each comes from, independently of the adapters.
//!
//! The emulators serve these and the conformance checks count requests to them, so an adapter
//! whose description has a wrong path or spelling is caught rather than served back what it
//! asked for. The testkit does not depend on the vendor crates.

pub mod apple;
pub mod dingtalk;
pub mod entra;
pub mod feishu;
pub mod genauth;
pub mod github;
pub mod google;
pub mod huawei_oneaccess;
pub mod tencent_ciam;
pub mod wechat;
