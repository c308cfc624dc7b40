//! The contents of the strings array: runs of plain bytes are copied in one go (`memchr` to the
//! next quote or backslash); escapes, including `\uXXXX` surrogate pairs and lone surrogates, are
//! decoded byte by byte across chunk boundaries.

use super::{Escape, Machine, State};
use crate::error::{Error, ErrorKind, Result};

impl Machine {
    /// String contents: runs without quotes or backslashes are copied in one go.
    pub(super) fn in_string(&mut self, buf: &[u8], mut i: usize, base: u64) -> Result<usize> {
        while i < buf.len() {
            if self.escape == Escape::None {
                let rest = &buf[i..];
                match memchr::memchr2(b'"', b'\\', rest) {
                    None => {
                        self.flush_surrogate_if(!rest.is_empty());
                        self.out.strings.extend(rest);
                        return Ok(buf.len());
                    }
                    Some(n) => {
                        self.flush_surrogate_if(n > 0);
                        self.out.strings.extend(&rest[..n]);
                        i += n;
                        if buf[i] == b'"' {
                            self.flush_surrogate_if(true);
                            self.out.strings.end();
                            self.state = State::StringCommaOrEnd;
                            return Ok(i + 1);
                        }
                        self.escape = Escape::Backslash;
                        i += 1;
                        continue;
                    }
                }
            }
            let b = buf[i];
            let at = base + i as u64;
            i += 1;
            match self.escape {
                Escape::Backslash => {
                    let plain = match b {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            self.escape = Escape::Unicode {
                                digits: 0,
                                value: 0,
                            };
                            continue;
                        }
                        _ => return Err(Error::at_byte(at, ErrorKind::BadEscape)),
                    };
                    self.flush_surrogate_if(true);
                    self.out.strings.extend(&[plain]);
                    self.escape = Escape::None;
                }
                Escape::Unicode { digits, value } => {
                    let d = match b {
                        b'0'..=b'9' => b - b'0',
                        b'a'..=b'f' => b - b'a' + 10,
                        b'A'..=b'F' => b - b'A' + 10,
                        _ => return Err(Error::at_byte(at, ErrorKind::BadEscape)),
                    };
                    let value = (value << 4) | d as u16;
                    if digits == 3 {
                        self.escape = Escape::None;
                        self.code_unit(value);
                    } else {
                        self.escape = Escape::Unicode {
                            digits: digits + 1,
                            value,
                        };
                    }
                }
                Escape::None => unreachable!(),
            }
        }
        Ok(i)
    }

    /// Appends a UTF-16 code unit from a `\uXXXX` escape, pairing surrogates. Lone surrogates,
    /// which real snapshots do contain, become U+FFFD instead of failing the load.
    fn code_unit(&mut self, unit: u16) {
        let mut utf8 = [0u8; 4];
        if let Some(high) = self.high_surrogate.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let c = 0x10000 + (((high as u32) - 0xD800) << 10) + (unit as u32 - 0xDC00);
                let c = char::from_u32(c).unwrap_or('\u{FFFD}');
                self.out.strings.extend(c.encode_utf8(&mut utf8).as_bytes());
                return;
            }
            self.out
                .strings
                .extend('\u{FFFD}'.encode_utf8(&mut utf8).as_bytes());
        }
        if (0xD800..0xDC00).contains(&unit) {
            self.high_surrogate = Some(unit);
            return;
        }
        let c = char::from_u32(unit as u32).unwrap_or('\u{FFFD}');
        self.out.strings.extend(c.encode_utf8(&mut utf8).as_bytes());
    }

    /// A pending high surrogate not followed by a low one is a lone surrogate.
    fn flush_surrogate_if(&mut self, condition: bool) {
        if condition && self.high_surrogate.take().is_some() {
            self.out.strings.extend("\u{FFFD}".as_bytes());
        }
    }
}
