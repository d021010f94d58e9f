//! Size limits enforced while reading, not after (finding M2 of the reliability review): an
//! endless or huge input is refused at the limit with memory that stays flat, shown by running
//! under an address-space limit (`ulimit -v`) far below what reading it whole would need.

#![allow(clippy::panic, reason = "test")]

mod common;
use common::{code, limited, output, scratch, stderr, stdout, write};

/// 192 MiB of address space: enough for the binary and its 16 MiB read limit, far from the
/// gigabytes these inputs would take if read whole.
const LIMIT_KIB: u64 = 192 * 1024;

/// M2: `/dev/zero` as facts, a ruleset, an overlay or a report is refused at the 16 MiB limit
/// with `TOO_LARGE` (exit 1), within the address-space limit.
#[test]
fn m2_endless_files_are_refused_at_the_limit() {
    for args in [
        vec!["eval", "--facts", "/dev/zero"],
        vec!["check", "/dev/zero"],
        vec!["eval", "--overlay", "/dev/zero", "--facts", "/dev/null"],
        vec!["eval", "--questionnaire-response", "/dev/zero"],
        vec!["cds-card", "--report", "/dev/zero"],
    ] {
        let o = limited(LIMIT_KIB, &args, None);
        assert_eq!(code(&o), 1, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("error[TOO_LARGE]"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains("the limit is 16777216 bytes"),
            "{}",
            stderr(&o)
        );
    }
}

/// M2: endless standard input (`eval --facts -`, `cds-card` reading its report from standard
/// input) is refused the same way.
#[test]
fn m2_endless_standard_input_is_refused_at_the_limit() {
    for args in [
        vec!["eval", "--facts", "-"],
        vec!["cds-card"],
        vec!["check", "-"],
    ] {
        let o = limited(LIMIT_KIB, &args, Some("/dev/zero"));
        assert_eq!(code(&o), 1, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("error[TOO_LARGE]"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

/// M2: a 2 GB file (sparse, so the test is quick) is refused from its size before a byte is
/// read.
#[test]
fn m2_huge_file_is_refused_before_reading() {
    let dir = scratch("m2-huge");
    let path = dir.join("huge.json");
    let f = std::fs::File::create(&path).unwrap_or_else(|e| panic!("{e}"));
    f.set_len(2 << 30).unwrap_or_else(|e| panic!("{e}"));
    let p = path.to_string_lossy().into_owned();
    let o = limited(LIMIT_KIB, &["eval", "--facts", &p], None);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the input is more than 16777216 bytes"),
        "{}",
        stderr(&o)
    );
}

/// M2: one 64 MiB batch line is that line's `TOO_LARGE` error and the lines around it are
/// evaluated; only the first 1 MiB of it is ever held (32 MiB of address space would not hold
/// it whole).
#[test]
fn m2_oversized_batch_line_is_its_error_with_flat_memory() {
    let dir = scratch("m2-line");
    let mut text = String::from("{\"id\":\"a\",\"facts\":{}}\n{\"id\":\"big\",\"facts\":{\"x\":\"");
    text.push_str(&"y".repeat(64 << 20));
    text.push_str("\"}}\n{\"id\":\"c\",\"facts\":{}}\n");
    let input = write(&dir, "in.jsonl", &text);
    drop(text);
    let o = limited(
        LIMIT_KIB,
        &[
            "batch",
            &input,
            "--checklist",
            "ward_discharge",
            "--aggregate",
            "/dev/null",
        ],
        None,
    );
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "{}",
        out.chars().take(2000).collect::<String>()
    );
    assert!(lines.first().is_some_and(|l| l.contains("\"report\"")));
    assert!(
        lines.get(1).is_some_and(|l| l.starts_with(
            "{\"line\":2,\"id\":null,\"error\":\"TOO_LARGE: the line is 67108893 bytes; the limit is 1048576 bytes at $\""
        )),
        "{:?}",
        lines.get(1)
    );
    assert!(lines
        .get(2)
        .is_some_and(|l| l.contains("\"line\":3") && l.contains("\"report\"")));
}

/// M2: 256 MiB of bytes with no line end on standard input is one oversized line: the batch
/// reads through it at flat memory and says so.
#[test]
fn m2_endless_batch_line_on_standard_input_stays_flat() {
    let script = format!(
        "head -c 268435456 /dev/zero | (ulimit -v {LIMIT_KIB} && exec '{}' batch - --no-reports \\
         --out - --aggregate /dev/null)",
        common::bin().display()
    );
    let dir = scratch("m2-stdin");
    let o = output(
        std::process::Command::new("sh")
            .args(["-c", &script])
            .current_dir(&dir),
    );
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(
            "{\"line\":1,\"id\":null,\"error\":\"TOO_LARGE: the line is 268435456 bytes"
        ),
        "{}",
        stdout(&o)
    );
}
