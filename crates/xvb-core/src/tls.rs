//! TLS as the product's client connections check it: the system's trust store
//! (`SSL_CERT_FILE` adds a company CA), read once per process.

use std::sync::{Arc, OnceLock};
use tokio_rustls::rustls;

/// The client TLS configuration every outgoing TLS connection shares.
pub(crate) fn client_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            for certificate in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(certificate);
            }
            Arc::new(
                rustls::ClientConfig::builder()
                    .with_root_certificates(roots)
                    .with_no_client_auth(),
            )
        })
        .clone()
}
