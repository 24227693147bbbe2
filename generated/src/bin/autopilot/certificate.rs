//! An app registration's certificate, read from a PEM file, and the
//! client assertion it signs: a JWT (RFC 7523) that Microsoft Entra ID
//! takes instead of a client secret.
//!
//! `azure_identity`'s certificate credential needs OpenSSL (it reads
//! PKCS#12), so this is written on what the build already has: `ring` to
//! sign RS256 and hash the thumbprint, `rustls-pki-types` to read PEM. The
//! file holds the certificate and its unencrypted private key, as
//! `az login --service-principal --certificate` takes it; a PKCS#12
//! bundle or an encrypted key is refused with the `openssl` command that
//! converts it.

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::pem::{PemObject as _, SectionKind};
use serde_json::json;

/// How long a client assertion is valid: Entra ID needs it only for the
/// one token request it is sent with.
const ASSERTION_LIFETIME_SECS: u64 = 600;

/// A certificate whose private key can sign client assertions.
pub struct Certificate {
    key: RsaKeyPair,
    /// base64url SHA-1 of the DER certificate: how Entra ID finds the
    /// certificate uploaded to the app registration.
    x5t: String,
}

// Never the key, not even its public half: a Debug print must not grow
// into a leak when someone adds a field.
impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("x5t", &self.x5t)
            .finish_non_exhaustive()
    }
}

impl Certificate {
    /// Reads the PEM file at `path`.
    pub fn load(path: &Path) -> Result<Certificate, String> {
        let bytes = std::fs::read(path)
            .map_err(|err| format!("cannot read certificate file {}: {err}", path.display()))?;
        Certificate::from_pem(&path.display().to_string(), &bytes)
    }

    /// Reads PEM text: one or more certificates (a chain in any order) and
    /// exactly one RSA private key (PKCS#8 or PKCS#1), unencrypted. `name`
    /// names the file in errors.
    pub fn from_pem(name: &str, bytes: &[u8]) -> Result<Certificate, String> {
        let text = String::from_utf8_lossy(bytes);
        if !text.contains("-----BEGIN ") {
            return Err(format!(
                "certificate file {name} is not PEM text (a .pfx/.p12 PKCS#12 bundle or a DER \
                 file?): convert it to a PEM file holding the certificate and its private key \
                 with `openssl pkcs12 -in {name} -out app.pem -nodes` and pass that file; \
                 password-protected files are not supported"
            ));
        }
        // A PKCS#8 "ENCRYPTED PRIVATE KEY", or a PKCS#1 key with a
        // "Proc-Type: 4,ENCRYPTED" header.
        if text.contains("ENCRYPTED") {
            return Err(format!(
                "the private key in {name} is encrypted, which is not supported: write an \
                 unencrypted copy with `openssl pkey -in {name} -out app.pem && openssl x509 \
                 -in {name} >> app.pem` and keep that file where only you can read it"
            ));
        }
        let mut certificates = Vec::new();
        let mut keys = Vec::new();
        for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(bytes) {
            let (kind, der) =
                section.map_err(|err| format!("certificate file {name}: bad PEM: {err}"))?;
            match kind {
                SectionKind::Certificate => certificates.push(der),
                SectionKind::PrivateKey
                | SectionKind::RsaPrivateKey
                | SectionKind::EcPrivateKey => keys.push((kind, der)),
                // A public key, CRL or request beside them changes nothing.
                _ => {}
            }
        }
        let key = match keys.as_slice() {
            [] => {
                return Err(format!(
                    "certificate file {name} holds no private key: put the certificate and its \
                     private key in one PEM file (as `az login --service-principal \
                     --certificate` takes it)"
                ));
            }
            [(kind, der)] => rsa_key(name, *kind, der)?,
            more => {
                return Err(format!(
                    "certificate file {name} holds {} private keys; keep only the one of the \
                     app's certificate",
                    more.len()
                ));
            }
        };
        if certificates.is_empty() {
            return Err(format!(
                "certificate file {name} holds a private key but no certificate: add the \
                 certificate (`-----BEGIN CERTIFICATE-----`) uploaded to the app registration"
            ));
        }
        // The key's certificate, wherever it is in a chain: its DER holds
        // the key's public half (PKCS#1 RSAPublicKey, inside the SPKI).
        let public = key.public().as_ref();
        let certificate = certificates
            .iter()
            .find(|der| der.windows(public.len()).any(|w| w == public))
            .ok_or_else(|| {
                format!(
                    "the private key in {name} does not belong to the certificate(s) in it: \
                     put the app's certificate and its own key in the file"
                )
            })?;
        let thumbprint = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, certificate);
        Ok(Certificate {
            key,
            x5t: URL_SAFE_NO_PAD.encode(thumbprint.as_ref()),
        })
    }

    /// The `x5t` header: base64url SHA-1 thumbprint of the certificate.
    #[cfg(test)]
    pub fn x5t(&self) -> &str {
        &self.x5t
    }

    /// A client assertion for `audience` (the token endpoint's URL),
    /// issued by and about `client_id`, valid from `now` (Unix seconds)
    /// for ten minutes; `jti` makes it unique.
    pub fn assertion(
        &self,
        audience: &str,
        client_id: &str,
        jti: &str,
        now: u64,
    ) -> Result<String, String> {
        let header = json!({ "alg": "RS256", "typ": "JWT", "x5t": self.x5t });
        let claims = json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": jti,
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signed.as_bytes(),
                &mut signature,
            )
            .map_err(|_| {
                "cannot sign the client assertion with the certificate's key".to_owned()
            })?;
        Ok(format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

/// The RSA key in a PEM section; Entra ID's certificate credentials are
/// RSA, so an EC key is refused by name.
fn rsa_key(name: &str, kind: SectionKind, der: &[u8]) -> Result<RsaKeyPair, String> {
    let parsed = match kind {
        SectionKind::RsaPrivateKey => RsaKeyPair::from_der(der),
        SectionKind::PrivateKey => RsaKeyPair::from_pkcs8(der),
        _ => {
            return Err(format!(
                "the private key in {name} is an EC key; Microsoft Entra ID's certificate \
                 credentials need an RSA key (2048 bits or more)"
            ));
        }
    };
    parsed.map_err(|err| {
        format!(
            "cannot use the private key in {name} as an RSA signing key ({err}); Microsoft \
             Entra ID's certificate credentials need an RSA key (2048 bits or more)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/support/certificate")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn both_key_formats_and_orders_give_the_same_thumbprint() {
        let pkcs8 = Certificate::from_pem("app.pem", &fixture("app.pem")).unwrap();
        let pkcs1 = Certificate::from_pem("app-pkcs1.pem", &fixture("app-pkcs1.pem")).unwrap();
        // `openssl x509 -fingerprint -sha1` of the fixture, base64url.
        let expected = URL_SAFE_NO_PAD.encode([
            0xC0, 0xDF, 0x30, 0xE2, 0xE6, 0xFA, 0x23, 0x91, 0x56, 0xE1, 0x2A, 0x41, 0x11, 0xA0,
            0x56, 0x93, 0xAE, 0x72, 0x8C, 0x3A,
        ]);
        assert_eq!(pkcs8.x5t(), expected);
        assert_eq!(pkcs1.x5t(), expected);
        assert!(!format!("{pkcs8:?}").contains("key"), "{pkcs8:?}");
    }

    #[test]
    fn unusable_files_are_refused_with_what_to_do() {
        let refused = |bytes: &[u8]| Certificate::from_pem("f.pem", bytes).unwrap_err();
        assert!(refused(&[0x30, 0x82, 0x01]).contains("openssl pkcs12 -in f.pem"));
        let encrypted =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert!(refused(encrypted).contains("encrypted, which is not supported"));
        let text = String::from_utf8(fixture("app.pem")).unwrap();
        let (key, certificate) = text.split_at(text.find("-----BEGIN CERTIFICATE").unwrap());
        assert!(refused(certificate.as_bytes()).contains("holds no private key"));
        assert!(refused(key.as_bytes()).contains("but no certificate"));
        let two_keys = format!("{key}{text}");
        assert!(refused(two_keys.as_bytes()).contains("holds 2 private keys"));
        // The TLS tests' EC leaf: its key is refused as not RSA.
        let tls = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/tls");
        let ec = [
            std::fs::read(tls.join("leaf.key")).unwrap(),
            std::fs::read(tls.join("leaf.pem")).unwrap(),
        ]
        .concat();
        assert!(refused(&ec).contains("need an RSA key"), "{}", refused(&ec));
        // The app's key beside another certificate.
        let other = std::fs::read_to_string(tls.join("leaf.pem")).unwrap();
        let mismatched = format!("{key}{other}");
        assert!(refused(mismatched.as_bytes()).contains("does not belong"));
    }
}
