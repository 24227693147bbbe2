//! The scripted server of `scripted.rs` over HTTPS on loopback, with a
//! certificate for `localhost` from the test CA in `tests/support/tls/`
//! (valid until 2126; its key is a test fixture). A client trusts it when
//! `SSL_CERT_FILE` names `ca.pem`: that file stands in for the OS store.
//! Include `scripted.rs` as `mod scripted` beside this.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::scripted::{Answer, Log};

/// The directory of the test CA and the server's certificate.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/tls")
}

/// The test CA, for `SSL_CERT_FILE`.
pub fn ca() -> PathBuf {
    dir().join("ca.pem")
}

/// TLS connections accepted on a loopback port; a client that does not
/// trust the certificate hangs up mid-handshake and is not served.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// Starts the scripted server over HTTPS; reach it as
/// `https://localhost:PORT`, the name its certificate holds.
pub async fn serve(script: Vec<Answer>) -> (SocketAddr, Log) {
    let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(dir().join("leaf.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir().join("leaf.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let listener = TlsListener {
        tcp,
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    };
    let (app, seen) = crate::scripted::app(script);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, seen)
}
