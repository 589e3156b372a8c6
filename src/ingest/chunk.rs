//! Splits a CSV byte stream into chunks of whole records, so that chunks can
//! be parsed in parallel.
//!
//! A record ends at a newline outside quotes. With RFC 4180 quoting (a quote
//! inside a quoted field is doubled) a newline is outside quotes exactly when
//! an even number of quote characters precede it in the record, so one
//! sequential scan of quotes and newlines (memchr) finds safe cut points even
//! where a quoted field holds newlines. The cut is the last record end within
//! the first `target` bytes of the unconsumed input: it depends on the data
//! and `target` only, never on how reads return or how many threads run, so
//! the chunks (and every sum merged in chunk order) are the same on every run.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

/// A record longer than this is taken as a sign of an unbalanced quote.
pub const MAX_RECORD: usize = 256 << 20;

/// A run of whole records.
#[derive(Debug)]
pub struct RawChunk {
    /// 1-based line number of the chunk's first byte.
    pub first_line: u64,
    pub data: Vec<u8>,
}

pub struct Chunker<R> {
    reader: R,
    buf: Vec<u8>,
    eof: bool,
    target: usize,
    quote: u8,
    next_line: u64,
    hasher: Sha256,
    bytes: u64,
    started: bool,
    had_bom: bool,
    spare: Vec<Vec<u8>>,
}

/// Why a chunk could not be cut.
#[derive(Debug)]
pub enum ChunkError {
    Io(io::Error),
    /// No record end within [`MAX_RECORD`] bytes from this line.
    Unbalanced {
        line: u64,
    },
}

impl From<io::Error> for ChunkError {
    fn from(e: io::Error) -> Self {
        ChunkError::Io(e)
    }
}

impl<R: Read> Chunker<R> {
    pub fn new(reader: R, quote: u8, target: usize) -> Self {
        Chunker {
            reader,
            buf: Vec::new(),
            eof: false,
            target: target.max(1),
            quote,
            next_line: 1,
            hasher: Sha256::new(),
            bytes: 0,
            started: false,
            had_bom: false,
            spare: Vec::new(),
        }
    }

    /// Whether the input started with a UTF-8 byte order mark (removed).
    pub fn had_bom(&self) -> bool {
        self.had_bom
    }

    /// Bytes read so far and the sha256 of all of them (call at the end).
    pub fn finish(self) -> (u64, String) {
        (self.bytes, crate::config::hex(&self.hasher.finalize()))
    }

    fn fill(&mut self, want: usize) -> io::Result<()> {
        while !self.eof && self.buf.len() < want {
            let old = self.buf.len();
            let grow = (want - old).max(64 << 10);
            self.buf.reserve(grow);
            // Reads into the spare capacity, without zero-filling it first
            // (read_to_end retries on Interrupted).
            let n = match (&mut self.reader)
                .take(grow as u64)
                .read_to_end(&mut self.buf)
            {
                Ok(n) => n,
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            };
            self.hasher.update(&self.buf[old..old + n]);
            self.bytes += n as u64;
            if n == 0 {
                self.eof = true;
            }
        }
        if !self.started {
            self.started = true;
            if self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.buf.drain(..3);
                self.had_bom = true;
            }
        }
        Ok(())
    }

    /// Position just past the last record end in `buf[..limit]`, and the
    /// number of newlines before it; `None` if no record ends there.
    fn last_cut(&self, limit: usize) -> Option<(usize, u64)> {
        let hay = &self.buf[..limit];
        let mut in_quotes = false;
        let mut lines = 0u64;
        let mut best = None;
        for pos in memchr::memchr2_iter(b'\n', self.quote, hay) {
            if hay[pos] == b'\n' {
                lines += 1;
                if !in_quotes {
                    best = Some((pos + 1, lines));
                }
            } else {
                in_quotes = !in_quotes;
            }
        }
        best
    }

    /// Position just past the first record end, with its newline count.
    fn first_cut(&self) -> Option<(usize, u64)> {
        let hay = &self.buf[..];
        let mut in_quotes = false;
        let mut lines = 0u64;
        for pos in memchr::memchr2_iter(b'\n', self.quote, hay) {
            if hay[pos] == b'\n' {
                lines += 1;
                if !in_quotes {
                    return Some((pos + 1, lines));
                }
            } else {
                in_quotes = !in_quotes;
            }
        }
        None
    }

    /// Gives a chunk's buffer back for reuse, so that a long file is read
    /// into the same few buffers (no allocator churn, flat memory).
    pub fn recycle(&mut self, mut buf: Vec<u8>) {
        if self.spare.len() < 8 {
            buf.clear();
            self.spare.push(buf);
        }
    }

    fn take(&mut self, cut: usize, lines: u64) -> RawChunk {
        let mut rest = self.spare.pop().unwrap_or_default();
        rest.extend_from_slice(&self.buf[cut..]);
        self.buf.truncate(cut);
        let data = std::mem::replace(&mut self.buf, rest);
        let first_line = self.next_line;
        self.next_line += lines;
        RawChunk { first_line, data }
    }

    /// The header record (the first record of the file), or `None` for an
    /// empty file.
    pub fn header(&mut self) -> Result<Option<RawChunk>, ChunkError> {
        let mut want = 64 << 10;
        loop {
            self.fill(want)?;
            if let Some((cut, lines)) = self.first_cut() {
                return Ok(Some(self.take(cut, lines)));
            }
            if self.eof {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                let n = self.buf.len();
                return Ok(Some(self.take(n, 0)));
            }
            if want >= MAX_RECORD {
                return Err(ChunkError::Unbalanced {
                    line: self.next_line,
                });
            }
            want *= 2;
        }
    }

    /// The next chunk of whole records, or `None` at the end of the input.
    pub fn next_chunk(&mut self) -> Result<Option<RawChunk>, ChunkError> {
        let mut want = self.target;
        loop {
            self.fill(want)?;
            if self.buf.is_empty() {
                return Ok(None);
            }
            if self.eof && self.buf.len() <= want {
                let n = self.buf.len();
                let lines = memchr::memchr_iter(b'\n', &self.buf).count() as u64;
                return Ok(Some(self.take(n, lines)));
            }
            if let Some((cut, lines)) = self.last_cut(want.min(self.buf.len())) {
                return Ok(Some(self.take(cut, lines)));
            }
            // One record is longer than the target: look further.
            if want >= MAX_RECORD {
                return Err(ChunkError::Unbalanced {
                    line: self.next_line,
                });
            }
            want = (want * 2).min(MAX_RECORD);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(input: &[u8], target: usize) -> Vec<(u64, Vec<u8>)> {
        let mut c = Chunker::new(input, b'"', target);
        let mut out = Vec::new();
        while let Some(ch) = c.next_chunk().unwrap() {
            out.push((ch.first_line, ch.data.clone()));
            // As the engine does: every spent buffer comes back for reuse.
            c.recycle(ch.data);
        }
        out
    }

    #[test]
    fn recycled_buffers_give_the_same_chunks() {
        let mut input = Vec::new();
        for i in 0..500 {
            input.extend_from_slice(format!("{i},\"a\nb,\"\"c\"\"\",x\n").as_bytes());
        }
        let mut fresh = Chunker::new(&input[..], b'"', 300);
        let mut expected = Vec::new();
        while let Some(ch) = fresh.next_chunk().unwrap() {
            expected.push((ch.first_line, ch.data));
        }
        assert!(expected.len() > 10);
        assert_eq!(chunks(&input, 300), expected);
        let joined: Vec<u8> = expected.iter().flat_map(|(_, d)| d.clone()).collect();
        assert_eq!(joined, input);
    }

    #[test]
    fn cuts_only_outside_quotes() {
        let input = b"a,\"x\ny\",1\nb,\"p\"\"q\nr\",2\nc,z,3\n";
        for target in 1..input.len() + 2 {
            let cs = chunks(input, target);
            let joined: Vec<u8> = cs.iter().flat_map(|c| c.1.clone()).collect();
            assert_eq!(joined, input.to_vec(), "target {target}");
            for (_, c) in &cs {
                let quotes = c.iter().filter(|&&b| b == b'"').count();
                assert_eq!(
                    quotes % 2,
                    0,
                    "target {target}: chunk {:?}",
                    String::from_utf8_lossy(c)
                );
            }
            // Line numbers of each chunk's first byte.
            let mut line = 1;
            for (first, c) in &cs {
                assert_eq!(*first, line);
                line += c.iter().filter(|&&b| b == b'\n').count() as u64;
            }
        }
    }

    #[test]
    fn header_bom_and_hash() {
        let input = b"\xEF\xBB\xBFid,q1\r\n1,5\r\n2,6";
        let mut c = Chunker::new(&input[..], b'"', 6);
        let h = c.header().unwrap().unwrap();
        assert_eq!(h.data, b"id,q1\r\n");
        assert!(c.had_bom());
        let a = c.next_chunk().unwrap().unwrap();
        assert_eq!(a.first_line, 2);
        let b = c.next_chunk().unwrap().unwrap();
        assert_eq!((b.first_line, b.data.as_slice()), (3, &b"2,6"[..]));
        assert!(c.next_chunk().unwrap().is_none());
        let (bytes, sha) = c.finish();
        assert_eq!(bytes, input.len() as u64);
        assert_eq!(sha, crate::config::hex(&Sha256::digest(input)));
    }

    #[test]
    fn unbalanced_quote_is_an_error_not_a_hang() {
        let mut data = b"a\n\"".to_vec();
        data.extend(std::iter::repeat_n(b'x', 10));
        let mut c = Chunker::new(&data[..], b'"', 4);
        // Short input: the rest of the file is one (bad) record, left to the
        // CSV parser; no error from the chunker, and no loop.
        let mut n = 0;
        while c.next_chunk().unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 2);
    }
}
