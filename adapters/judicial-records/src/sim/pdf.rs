//! A tiny PDF 1.4 writer for the certificate the simulator issues: one A4 page of
//! Helvetica text, with a correct cross-reference table.

use std::fmt::Write as _;

/// Vietnamese letters folded to their ASCII base letter.
const FOLDS: [(char, &str); 14] = [
    ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
    ('A', "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"),
    ('e', "èéẻẽẹêềếểễệ"),
    ('E', "ÈÉẺẼẸÊỀẾỂỄỆ"),
    ('i', "ìíỉĩị"),
    ('I', "ÌÍỈĨỊ"),
    ('o', "òóỏõọôồốổỗộơờớởỡợ"),
    ('O', "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"),
    ('u', "ùúủũụưừứửữự"),
    ('U', "ÙÚỦŨỤƯỪỨỬỮỰ"),
    ('y', "ỳýỷỹỵ"),
    ('Y', "ỲÝỶỸỴ"),
    ('d', "đ"),
    ('D', "Đ"),
];

/// `text` in printable ASCII: Vietnamese letters lose their marks, combining marks are
/// dropped, anything else outside ASCII becomes `?`.
pub(crate) fn ascii(text: &str) -> String {
    text.chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            ' '..='~' => c,
            c if c.is_whitespace() => ' ',
            c => FOLDS
                .iter()
                .find(|(_, marked)| marked.contains(c))
                .map_or('?', |(base, _)| *base),
        })
        .collect()
}

/// A one-page PDF showing `lines` (folded to ASCII) from the top of the page.
pub(crate) fn document(lines: &[String]) -> Vec<u8> {
    let mut content = String::from("BT\n/F1 13 Tf\n20 TL\n72 770 Td\n");
    for line in lines {
        let _ = writeln!(content, "({}) Tj T*", escape(&ascii(line)));
    }
    content.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
    ];
    let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
    }
    let xref = pdf.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(tail, "{offset:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    pdf.extend_from_slice(tail.as_bytes());
    pdf
}

/// Escapes a PDF literal string.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_names_fold_to_ascii() {
        assert_eq!(ascii("Nguyễn Thị Đoàn Hương"), "Nguyen Thi Doan Huong");
        assert_eq!(ascii("Nguye\u{302}\u{303}n"), "Nguyen");
        assert_eq!(ascii("Zoë 李"), "Zo? ?");
    }

    #[test]
    fn the_cross_reference_table_points_at_each_object() {
        let pdf = document(&["A (b) \\ c".to_owned()]);
        let text = String::from_utf8_lossy(&pdf);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(pdf[start..].starts_with(b"xref\n0 6\n"));
        let entries = std::str::from_utf8(&pdf[start..]).unwrap();
        for (number, line) in entries.lines().skip(3).take(5).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert_eq!(line.len(), 19, "entries are 20 bytes with the newline");
            assert!(pdf[offset..].starts_with(format!("{} 0 obj", number + 1).as_bytes()));
        }
        assert!(text.contains("(A \\(b\\) \\\\ c) Tj"));
    }
}
