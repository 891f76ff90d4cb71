//! Entra's ID-token issuer rule: for `common`, `organizations`, `consumers` (and a tenant
//! named by its domain) the issuer is the template
//! `https://login.microsoftonline.com/{tenantid}/v2.0`, filled with the token's own `tid` and
//! then compared exactly ("replace the `{tenantid}` value in the issuer metadata with the
//! tenant ID that is the target of the current request, and then check the exact match";
//! apps "should ensure that the tenant-id claim is a guid and that the issuer and tenant id
//! match", <https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens>).

use serde_json::{Map, Value};
use tokenbridge_core::IdTokenRules;

/// The placeholder of the issuer template.
pub const TENANT_PLACEHOLDER: &str = "{tenantid}";

/// The issuer rule of one Entra provider: the template filled with `tid` (a GUID), and when
/// `allowed_tenants` is not empty, `tid` among them.
#[derive(Debug, Clone, Default)]
pub struct EntraIdTokenRules {
    allowed_tenants: Vec<String>,
}

impl EntraIdTokenRules {
    /// The rule accepting tokens of `allowed_tenants` only (tenant ids); empty: any tenant
    /// the template admits.
    pub fn new(allowed_tenants: Vec<String>) -> Self {
        Self { allowed_tenants }
    }
}

/// Whether `value` is a GUID in its 8-4-4-4-12 hex form.
pub(crate) fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

impl IdTokenRules for EntraIdTokenRules {
    fn issuer_matches(&self, expected: &str, found: &str, claims: &Map<String, Value>) -> bool {
        // A URL parser may have percent-encoded the braces of the template.
        let template = expected.replace("%7Btenantid%7D", TENANT_PLACEHOLDER);
        let tid = claims.get("tid").and_then(Value::as_str);
        let allowed = |tid: &str| {
            self.allowed_tenants.is_empty()
                || self
                    .allowed_tenants
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(tid))
        };
        if !template.contains(TENANT_PLACEHOLDER) {
            return found == expected && tid.is_none_or(allowed);
        }
        match tid {
            Some(tid) if is_guid(tid) && allowed(tid) => {
                found == template.replace(TENANT_PLACEHOLDER, tid)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const TEMPLATE: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";
    const TID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    fn claims(tid: &str) -> Map<String, Value> {
        json!({ "tid": tid }).as_object().cloned().unwrap()
    }

    #[test]
    fn the_template_is_filled_with_the_tokens_own_tenant() {
        let rules = EntraIdTokenRules::default();
        let issuer = format!("https://login.microsoftonline.com/{TID}/v2.0");
        assert!(rules.issuer_matches(TEMPLATE, &issuer, &claims(TID)));
        let other = "9188040d-6c67-4c5b-b112-36a304b66dad";
        assert!(!rules.issuer_matches(TEMPLATE, &issuer, &claims(other)));
        assert!(!rules.issuer_matches(TEMPLATE, &issuer, &Map::new()));
        let not_guid = "https://login.microsoftonline.com/evil/v2.0";
        assert!(!rules.issuer_matches(TEMPLATE, not_guid, &claims("evil")));
        let encoded = "https://login.microsoftonline.com/%7Btenantid%7D/v2.0";
        assert!(rules.issuer_matches(encoded, &issuer, &claims(TID)));
    }

    #[test]
    fn allowed_tenants_restrict_the_template() {
        let rules = EntraIdTokenRules::new(vec![TID.to_uppercase()]);
        let issuer = format!("https://login.microsoftonline.com/{TID}/v2.0");
        assert!(rules.issuer_matches(TEMPLATE, &issuer, &claims(TID)));
        let other = "9188040d-6c67-4c5b-b112-36a304b66dad";
        let theirs = format!("https://login.microsoftonline.com/{other}/v2.0");
        assert!(!rules.issuer_matches(TEMPLATE, &theirs, &claims(other)));
    }

    #[test]
    fn a_fixed_issuer_is_compared_exactly() {
        let rules = EntraIdTokenRules::default();
        let issuer = format!("https://login.microsoftonline.com/{TID}/v2.0");
        assert!(rules.issuer_matches(&issuer, &issuer, &claims(TID)));
        assert!(!rules.issuer_matches(&issuer, TEMPLATE, &claims(TID)));
        assert!(is_guid(TID) && !is_guid("common") && !is_guid("72f988bf-86f1-41af-91ab"));
    }
}
