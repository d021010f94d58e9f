//! The ruleset content hash: SHA-256 (FIPS 180-4) of the canonical JSON of the merged ruleset,
//! written `sha256:` and lowercase hex, by RustCrypto's `sha2` (no_std, soft backend in the
//! `.wasm`; it replaced a hand-written SHA-256 at a measured cost of about 1 KB gzipped).
//! And the CRC-32 that catches damage to a compiled ruleset (see `compiled`).

use alloc::string::String;
use sha2::{Digest, Sha256};

/// The CRC-32 of `data` (IEEE 802.3, reflected polynomial `0xEDB88320`, as zip, gzip and PNG
/// use): every error in one run of at most 32 bits is caught, and other random damage is
/// missed once in 2^32. Bit by bit, without a table: it runs once per compiled ruleset read,
/// and is the smallest code for the runtime `.wasm`, which needs no SHA-256 otherwise.
#[must_use]
pub(crate) fn crc32(data: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// `sha256:` followed by the lowercase hex digest of `data`.
#[must_use]
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    for b in Sha256::digest(data) {
        for nibble in [b >> 4, b & 0xf] {
            s.push(char::from(
                HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::{crc32, sha256_hex};

    /// The standard check values of CRC-32 (IEEE).
    #[test]
    fn crc32_vectors() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
        assert_eq!(crc32(&[0u8; 32]), 0x190A_55AD);
    }

    /// The FIPS 180-2 test vectors.
    #[test]
    fn standard_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        let million = alloc::vec![b'a'; 1_000_000];
        assert_eq!(
            sha256_hex(&million),
            "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }
}
