//! JavaScript's semantics where DevTools' results depend on them: `parseInt`, string order and
//! length in UTF-16 code units, and the quoting of property names in `{a, b}` class names. A
//! leaf module.

use std::borrow::Cow;

/// JavaScript's `parseInt(s, 10)`: leading whitespace, an optional sign, then as many decimal
/// digits as there are. `None` stands for NaN. DevTools applies it to edge names.
pub fn parse_int(s: &str) -> Option<f64> {
    let t = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let mut v = 0f64;
    for b in digits[..end].bytes() {
        v = v * 10.0 + (b - b'0') as f64;
    }
    Some(if negative { -v } else { v })
}

/// JavaScript's string order (UTF-16 code units), which differs from Rust's (code points) only
/// when characters above U+FFFF meet characters in U+E000..U+FFFF.
pub fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// JavaScript's `string.length`: UTF-16 code units.
pub fn len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

/// DevTools' `formatPropertyName`: names with commas, quotes or braces are shown as JSON strings.
pub fn format_property_name(name: &str) -> Cow<'_, str> {
    if !name.contains([',', '\'', '"', '{', '}']) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_follows_javascript() {
        assert_eq!(parse_int("12"), Some(12.0));
        assert_eq!(parse_int("  7abc"), Some(7.0));
        assert_eq!(parse_int("-4"), Some(-4.0));
        assert_eq!(parse_int("map"), None);
        assert_eq!(parse_int(""), None);
    }

    #[test]
    fn string_order_is_utf16() {
        use std::cmp::Ordering;
        // U+FF5E sorts after U+1F600 in code points but before it in UTF-16 code units.
        assert_eq!(cmp("\u{1F600}", "\u{FF5E}"), Ordering::Less);
        assert_eq!(cmp("a", "b"), Ordering::Less);
        assert_eq!(len("a\u{1F600}"), 3);
    }

    #[test]
    fn property_names_with_json_characters_are_quoted() {
        assert_eq!(format_property_name("plain"), "plain");
        assert_eq!(format_property_name("a,b"), "\"a,b\"");
        assert_eq!(format_property_name("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(format_property_name("{x}\n"), "\"{x}\\n\"");
    }
}
