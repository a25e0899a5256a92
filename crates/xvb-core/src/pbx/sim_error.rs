//! Why the simulator (and the app's *Send a test call*) could not deliver a
//! request to a webhook URL.

/// Why a request did not reach a webhook URL, or its reply could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Not a URL at all.
    #[error("`{url}` is not a URL: {detail}")]
    NotUrl {
        /// What was given.
        url: String,
        /// What the URL parser said.
        detail: String,
    },
    /// A scheme other than `http` or `https`.
    #[error("a webhook URL starts with http:// or https://, not `{0}:`")]
    Scheme(String),
    /// A URL without a host.
    #[error("`{0}` has no host")]
    NoHost(String),
    /// Nothing accepted the connection.
    #[error("cannot connect to {address}: {source}; is `xvb serve` running there?")]
    Connect {
        /// `host:port`.
        address: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The connection broke before a whole reply.
    #[error("no reply from {address}: {source}; is `xvb serve` running there?")]
    NoReply {
        /// `host:port`.
        address: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A host name TLS cannot check.
    #[error("`{host}` cannot be checked for TLS: {detail}")]
    TlsName {
        /// The host.
        host: String,
        /// Why.
        detail: String,
    },
    /// The TLS handshake failed.
    #[error("no TLS connection to {address}: {source} (a company CA goes in SSL_CERT_FILE)")]
    Tls {
        /// `host:port`.
        address: String,
        /// What TLS said.
        source: std::io::Error,
    },
    /// The reply is not HTTP (its first 80 bytes).
    #[error("not an HTTP reply: {0:?}")]
    NotHttp(String),
}
