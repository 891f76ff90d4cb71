//! A vendor's own error answer, outside RFC 6749.

use std::fmt;

use super::{ErrorKind, RetryAfter};

/// A failure reported in a vendor's business envelope rather than as an OAuth 2.0 error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VendorError {
    /// The vendor, e.g. `genauth`.
    pub(crate) vendor: String,
    /// The HTTP status the envelope came with (often 200).
    pub(crate) http_status: u16,
    /// The envelope's business status on the HTTP scale, e.g. GenAuth `statusCode` 400.
    pub(crate) status_code: i64,
    /// The vendor's fine-grained code (GenAuth `apiCode`, Huawei `error_code`), as text.
    pub(crate) api_code: Option<String>,
    /// What the caller should do: from the vendor's error table, else from the statuses.
    pub(crate) kind: ErrorKind,
    /// Whether `kind` came from an undocumented (inferred) entry of the vendor's table, or
    /// from the statuses alone.
    pub(crate) kind_inferred: bool,
    /// The vendor's message.
    pub(crate) message: String,
    /// The vendor's request id (GenAuth `requestId` or `uniqueId`), to quote to support.
    pub(crate) request_id: Option<String>,
    /// The `Retry-After` header, when sent.
    pub(crate) retry_after: Option<RetryAfter>,
}

impl VendorError {
    /// A vendor error with the essentials; its kind follows from the statuses until a vendor's
    /// table sets it.
    pub fn new(
        vendor: impl Into<String>,
        http_status: u16,
        status_code: i64,
        message: impl Into<String>,
    ) -> Self {
        let http_kind = ErrorKind::from_status(http_status);
        let kind = match http_kind {
            // A gateway's 429 or 5xx wins over whatever business status the body carries.
            Some(k @ (ErrorKind::RateLimited | ErrorKind::ProviderUnavailable)) => k,
            _ => u16::try_from(status_code)
                .ok()
                .and_then(ErrorKind::from_status)
                .or(http_kind)
                .unwrap_or(ErrorKind::InvalidRequest),
        };
        Self {
            vendor: vendor.into(),
            http_status,
            status_code,
            api_code: None,
            kind,
            kind_inferred: true,
            message: message.into(),
            request_id: None,
            retry_after: None,
        }
    }

    /// The vendor, e.g. `genauth`.
    pub fn vendor(&self) -> &str {
        &self.vendor
    }

    /// The HTTP status the envelope came with (often 200).
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// The envelope's business status on the HTTP scale, e.g. GenAuth `statusCode` 400.
    pub fn status_code(&self) -> i64 {
        self.status_code
    }

    /// The vendor's fine-grained code (GenAuth `apiCode`, Huawei `error_code`), as text.
    pub fn api_code(&self) -> Option<&str> {
        self.api_code.as_deref()
    }

    /// What the caller should do: from the vendor's error table, else from the statuses.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether the kind came from an undocumented (inferred) entry of the vendor's table, or
    /// from the statuses alone.
    pub fn is_kind_inferred(&self) -> bool {
        self.kind_inferred
    }

    /// The vendor's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The vendor's request id (GenAuth `requestId` or `uniqueId`), to quote to support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The `Retry-After` header, when sent.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        self.retry_after
    }

    /// Sets the vendor's fine-grained code.
    pub fn with_api_code(mut self, api_code: Option<String>) -> Self {
        self.api_code = api_code;
        self
    }

    /// Sets the kind, saying whether the vendor documents it (`inferred == false`) or it was
    /// deduced.
    pub fn with_kind(mut self, kind: ErrorKind, inferred: bool) -> Self {
        self.kind = kind;
        self.kind_inferred = inferred;
        self
    }

    /// Sets the vendor's request id.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    /// Sets the `Retry-After` the answer carried.
    pub fn with_retry_after(mut self, retry_after: Option<RetryAfter>) -> Self {
        self.retry_after = retry_after;
        self
    }

    /// Sets the kind in place, for hooks that adjust an error they are handed.
    pub fn set_kind(&mut self, kind: ErrorKind, inferred: bool) {
        self.kind = kind;
        self.kind_inferred = inferred;
    }
}

impl fmt::Display for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} reported an error (HTTP {}, status {}",
            self.vendor, self.http_status, self.status_code
        )?;
        if let Some(code) = &self.api_code {
            write!(f, ", code {code}")?;
        }
        write!(f, "): {}", self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id}: quote it to the vendor's support)")?;
        }
        if let Some(r) = &self.retry_after {
            write!(f, "; {r}")?;
        }
        Ok(())
    }
}
