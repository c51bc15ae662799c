//! CSV cells: quoted when they hold a comma, quote or line break (RFC 4180), and
//! neutralised when a spreadsheet would read them as a formula (`=`, `+`, `-`, `@`, or a
//! tab or carriage return first): such a cell gets a leading `'`.

use std::io::{self, Write};

/// Writes one cell (without the separator).
pub fn cell(out: &mut impl Write, value: &str) -> io::Result<()> {
    let formula = matches!(value.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'));
    // Bytes, not chars: these are all ASCII, and UTF-8 never uses ASCII bytes inside a
    // multi-byte character.
    let quote = formula || value.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    if !quote {
        return out.write_all(value.as_bytes());
    }
    out.write_all(b"\"")?;
    if formula {
        out.write_all(b"'")?;
    }
    out.write_all(value.replace('"', "\"\"").as_bytes())?;
    out.write_all(b"\"")
}

/// Writes a row of cells and the line end.
pub fn row<'a>(out: &mut impl Write, cells: impl IntoIterator<Item = &'a str>) -> io::Result<()> {
    for (i, value) in cells.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        cell(out, value)?;
    }
    out.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: &[&str]) -> String {
        let mut out = Vec::new();
        row(&mut out, cells.iter().copied()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn plain_cells_stay_plain_and_others_are_quoted() {
        assert_eq!(line(&["ada", "Lovelace"]), "ada,Lovelace\r\n");
        assert_eq!(
            line(&["a,b", "say \"hi\"", "two\nlines"]),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
        assert_eq!(line(&[""]), "\r\n");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(line(&["=HYPERLINK(\"http://evil\")"]), "\"'=HYPERLINK(\"\"http://evil\"\")\"\r\n");
        for f in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(line(&[f]).starts_with("\"'"), "{f:?}");
        }
        assert_eq!(line(&["a=b"]), "a=b\r\n");
    }
}
