//! Lines of bytes from a stream, with a cap on how much of one line is kept: the batch reader.
//! A line ends at `\n`, `\r\n` or a lone `\r` (old Mac files), so every line is numbered as an
//! editor numbers it. Bytes are not checked for UTF-8 here: a bad line is that line's error.

use std::io::{BufRead, ErrorKind};

/// One line as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// The line's full length in bytes, without its terminator (may exceed what was kept).
    pub len: u64,
}

impl Line {
    /// Whether the line was longer than the cap, so only its start was kept.
    #[must_use]
    pub fn oversized(&self, cap: usize) -> bool {
        self.len > cap as u64
    }
}

/// Reads lines from `input`, keeping at most `cap` bytes of each: memory stays flat however
/// long a line is.
#[derive(Debug)]
pub struct Lines<R> {
    input: R,
    cap: usize,
    /// The last line ended with `\r`: a `\n` right after it belongs to the same terminator.
    after_cr: bool,
}

impl<R: BufRead> Lines<R> {
    /// A reader keeping at most `cap` bytes of each line.
    pub fn new(input: R, cap: usize) -> Self {
        Lines {
            input,
            cap,
            after_cr: false,
        }
    }

    /// Reads the next line into `buf` (cleared first). `None` at the end of the input.
    ///
    /// # Errors
    /// The input's read error (interrupted reads are retried).
    pub fn next_line(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Option<Line>> {
        buf.clear();
        let mut len: u64 = 0;
        let mut started = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(started.then_some(Line { len }));
            }
            let skip =
                usize::from(std::mem::take(&mut self.after_cr) && chunk.first() == Some(&b'\n'));
            let rest = chunk.get(skip..).unwrap_or_default();
            let end = rest.iter().position(|&b| b == b'\n' || b == b'\r');
            let piece = rest.get(..end.unwrap_or(rest.len())).unwrap_or_default();
            let room = self.cap.saturating_sub(buf.len());
            buf.extend_from_slice(piece.get(..room.min(piece.len())).unwrap_or_default());
            len += piece.len() as u64;
            started |= !rest.is_empty();
            match end {
                Some(i) => {
                    self.after_cr = rest.get(i) == Some(&b'\r');
                    self.input.consume(skip + i + 1);
                    return Ok(Some(Line { len }));
                }
                None => {
                    let n = skip + rest.len();
                    self.input.consume(n);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lines;

    fn all(input: &[u8], cap: usize, buf_size: usize) -> Vec<(String, u64)> {
        let mut lines = Lines::new(std::io::BufReader::with_capacity(buf_size, input), cap);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = lines.next_line(&mut buf).unwrap() {
            out.push((String::from_utf8_lossy(&buf).into_owned(), line.len));
        }
        out
    }

    #[test]
    fn every_line_ending_and_buffer_boundary() {
        let input = b"a\nbb\r\nccc\rdddd\r\r\n\nlast";
        let expected: Vec<(String, u64)> = [
            ("a", 1),
            ("bb", 2),
            ("ccc", 3),
            ("dddd", 4),
            ("", 0),
            ("", 0),
            ("last", 4),
        ]
        .iter()
        .map(|(s, n)| ((*s).to_string(), *n))
        .collect();
        for size in 1..=input.len() + 1 {
            assert_eq!(all(input, 100, size), expected, "buffer of {size} bytes");
        }
    }

    #[test]
    fn a_final_terminator_makes_no_extra_line() {
        assert_eq!(all(b"a\r\n", 100, 1).len(), 1);
        assert_eq!(all(b"a\r", 100, 1).len(), 1);
        assert_eq!(all(b"", 100, 1).len(), 0);
    }

    #[test]
    fn long_lines_are_cut_but_measured() {
        let input = b"0123456789\nab\n";
        for size in 1..=input.len() {
            let got = all(input, 4, size);
            assert_eq!(got, vec![("0123".to_string(), 10), ("ab".to_string(), 2)]);
        }
    }
}
