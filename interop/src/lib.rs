//! Interchange for Homeward, shared by the `homeward` command line and the `homeward-serve` CDS
//! Hooks service: the fact schema as a FHIR R4 (SDC) Questionnaire and a QuestionnaireResponse
//! read back as facts, exactly or not at all ([`fhir`]); CDS Hooks 2.0 cards for a report
//! ([`cds`]); the plain-English rulebook ([`rulebook`]).

pub mod cds;
pub mod fhir;
pub mod rulebook;

/// The SHA-256 of `bytes` as 64 lower-case hex digits (card seeds, long FHIRPath names).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use core::fmt::Write as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}
