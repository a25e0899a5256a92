//! Serving the relay: with TLS from PEM files, or plain HTTP on loopback only.

use crate::CoreError;
use axum::Router;
use std::time::Duration;

/// Serves the relay's `app` on `addr` until `shutdown`: with TLS from PEM files
/// (`tls` = certificate chain, private key), or plain HTTP, which is refused on
/// anything but loopback (put a TLS reverse proxy in front instead). `ready`
/// gets the address it listens on, as a URL.
pub async fn serve_relay(
    app: Router,
    addr: std::net::SocketAddr,
    tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    ready: impl FnOnce(String),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), CoreError> {
    let listen_error = |source| CoreError::Listen { addr, source };
    let Some((cert, key)) = tls else {
        if !addr.ip().is_loopback() {
            return Err(CoreError::Config(format!(
                "refusing plain HTTP on {addr}: give --tls-cert and --tls-key, or listen on 127.0.0.1 behind a TLS reverse proxy"
            )));
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(listen_error)?;
        ready(format!(
            "http://{}",
            listener.local_addr().map_err(listen_error)?
        ));
        return axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(listen_error);
    };
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
        .await
        .map_err(|e| {
            CoreError::Config(format!(
                "cannot use the TLS certificate {} and key {}: {e}",
                cert.display(),
                key.display()
            ))
        })?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(5)));
    });
    let server = axum_server::bind_rustls(addr, config)
        .handle(handle.clone())
        .serve(app.into_make_service());
    let serving = tokio::spawn(server);
    if let Some(bound) = handle.listening().await {
        ready(format!("https://{bound}"));
    }
    serving
        .await
        .map_err(|e| listen_error(std::io::Error::other(e)))?
        .map_err(listen_error)
}
