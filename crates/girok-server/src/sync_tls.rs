//! TLS for the sync transport: both ends are authenticated by their archives' ed25519 keys,
//! the keys pairing already exchanged, and by nothing else (no CA, no password).
//!
//! Each end makes a self-signed certificate for its archive key in memory when it starts.
//! The client accepts a server only if the certificate's key is the paired archive it meant
//! to reach; the server accepts any client that proves an ed25519 key, and the handlers then
//! refuse a key that is not paired (so the refusal is a clear message, not a broken
//! handshake). TLS 1.3 only. Threats: a network observer sees that two machines talk, and
//! how much; an active attacker without a paired key cannot pose as either end, because
//! the handshake's signature is checked against the pinned key.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};

/// The name in every sync certificate; not checked (the key is).
pub(crate) const SYNC_NAME: &str = "girok-sync";

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A certificate for this archive's key, and the key as rustls takes it.
fn identity(pkcs8: &[u8]) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), String> {
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8.to_vec()));
    let key = rcgen::KeyPair::from_der_and_sign_algo(&der, &rcgen::PKCS_ED25519).map_err(|e| format!("the archive key as a TLS key: {e}"))?;
    let params = rcgen::CertificateParams::new(vec![SYNC_NAME.to_string()]).map_err(|e| e.to_string())?;
    let cert = params.self_signed(&key).map_err(|e| format!("making the sync certificate: {e}"))?;
    Ok((cert.der().clone(), der))
}

/// The server side: presents the archive key, asks every client for one.
pub(crate) fn server_config(pkcs8: &[u8]) -> Result<Arc<rustls::ServerConfig>, String> {
    let (cert, key) = identity(pkcs8)?;
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(Arc::new(AnyArchive))
        .with_single_cert(vec![cert], key)
        .map_err(|e| format!("the sync certificate: {e}"))?;
    Ok(Arc::new(config))
}

/// The client side: presents the archive key, accepts only the server whose key is `peer`.
pub(crate) fn client_config(pkcs8: &[u8], peer: [u8; 32]) -> Result<Arc<rustls::ClientConfig>, String> {
    let (cert, key) = identity(pkcs8)?;
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned { key: peer }))
        .with_client_auth_cert(vec![cert], key)
        .map_err(|e| format!("the sync certificate: {e}"))?;
    Ok(Arc::new(config))
}

/// The ed25519 key of a certificate (its SubjectPublicKeyInfo), or none if it holds another
/// kind of key. A small DER walk: Certificate → TBSCertificate → the seventh field.
pub(crate) fn ed25519_key(cert: &[u8]) -> Option<[u8; 32]> {
    let (body, _) = tlv(cert, 0x30)?;
    let (mut tbs, _) = tlv(body, 0x30)?;
    if tbs.first() == Some(&0xa0) {
        tbs = tlv(tbs, 0xa0)?.1;
    }
    // serial, signature algorithm, issuer, validity, subject
    for tag in [0x02, 0x30, 0x30, 0x30, 0x30] {
        tbs = tlv(tbs, tag)?.1;
    }
    let (spki, _) = tlv(tbs, 0x30)?;
    // AlgorithmIdentifier { id-Ed25519 } (no parameters), BIT STRING with no unused bits.
    const ALG: [u8; 7] = [0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];
    let rest = spki.strip_prefix(&ALG[..])?;
    let (bits, tail) = tlv(rest, 0x03)?;
    if !tail.is_empty() || bits.len() != 33 || bits[0] != 0 {
        return None;
    }
    bits[1..].try_into().ok()
}

/// One DER element of the expected tag: its contents and what follows it.
fn tlv(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&t, rest) = input.split_first()?;
    if t != tag {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 3 || rest.len() < n {
            return None;
        }
        (rest[..n].iter().fold(0usize, |acc, &b| (acc << 8) | b as usize), &rest[n..])
    };
    (rest.len() >= len).then(|| (&rest[..len], &rest[len..]))
}

fn check_tls13(message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, Error> {
    if dss.scheme != SignatureScheme::ED25519 {
        return Err(Error::General("a sync peer signs with its archive's ed25519 key".into()));
    }
    rustls::crypto::verify_tls13_signature(message, cert, dss, &provider().signature_verification_algorithms)
}

fn no_tls12() -> Error {
    Error::General("sync speaks TLS 1.3 only".into())
}

/// Accepts the server only if its certificate carries the pinned archive key.
#[derive(Debug)]
struct Pinned {
    key: [u8; 32],
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match ed25519_key(end_entity) {
            Some(k) if k == self.key => Ok(ServerCertVerified::assertion()),
            Some(k) => Err(Error::General(format!(
                "the server is the archive with fingerprint {}, not the paired archive {}",
                girok_store::fingerprint(&hex::encode(k)),
                girok_store::fingerprint(&hex::encode(self.key))
            ))),
            None => Err(Error::General("the server presented no archive key; it is not a Girok sync listener".into())),
        }
    }

    fn verify_tls12_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, Error> {
        Err(no_tls12())
    }

    fn verify_tls13_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, Error> {
        check_tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        vec![SignatureScheme::ED25519]
    }
}

/// Requires every client to prove an ed25519 key; whether it is paired is the handlers' check.
#[derive(Debug)]
struct AnyArchive;

impl ClientCertVerifier for AnyArchive {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(&self, end_entity: &CertificateDer<'_>, _intermediates: &[CertificateDer<'_>], _now: UnixTime) -> Result<ClientCertVerified, Error> {
        match ed25519_key(end_entity) {
            Some(_) => Ok(ClientCertVerified::assertion()),
            None => Err(Error::General("a sync client presents its archive's ed25519 key".into())),
        }
    }

    fn verify_tls12_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, Error> {
        Err(no_tls12())
    }

    fn verify_tls13_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, Error> {
        check_tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        vec![SignatureScheme::ED25519]
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_gives_back_the_archive_key_it_was_made_for() {
        let seed = [7u8; 32];
        let mut pkcs8 = vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
        pkcs8.extend_from_slice(&seed);
        let (cert, _) = identity(&pkcs8).unwrap();
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        assert_eq!(ed25519_key(&cert), Some(public));
        // A cut or altered certificate yields no key rather than a wrong one.
        assert_eq!(ed25519_key(&cert[..cert.len() / 2]), None);
        let mut other = cert.to_vec();
        // The algorithm appears three times: the signature's (in the TBS), the key's, the outer.
        let at = other.windows(7).enumerate().filter(|(_, w)| *w == [0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70]).nth(1).unwrap().0;
        other[at + 6] = 0x71; // id-Ed448
        assert_eq!(ed25519_key(&other), None);
    }
}
