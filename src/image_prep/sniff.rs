//! What a file is, told by its first bytes (never by its name).

/// What the magic bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Jpeg,
    Png,
    Webp,
    Bmp,
    Heic,
    Avif,
    Pdf,
    Gif,
    Tiff,
    Empty,
    Unknown,
}

/// Looks at the first bytes of `b`.
pub fn sniff(b: &[u8]) -> Sniffed {
    if b.is_empty() {
        return Sniffed::Empty;
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Jpeg;
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Png;
    }
    if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Sniffed::Webp;
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Sniffed::Gif;
    }
    if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") || b.starts_with(b"II+\0") || b.starts_with(b"MM\0+") {
        return Sniffed::Tiff;
    }
    if b.len() >= 16 && &b[4..8] == b"ftyp" {
        // ISO base media: the major brand, then the compatible brands, name the family.
        let box_len = (u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize).clamp(16, b.len().min(256));
        let brands = std::iter::once(&b[8..12]).chain(b[16..box_len].chunks_exact(4));
        let mut heif = false;
        for brand in brands {
            match brand {
                b"avif" | b"avis" => return Sniffed::Avif,
                b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"hevm" | b"hevs" | b"mif1" | b"msf1" | b"heif" => heif = true,
                _ => {}
            }
        }
        return if heif { Sniffed::Heic } else { Sniffed::Unknown };
    }
    // A PDF may carry a few bytes of junk before its header.
    if b[..b.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        return Sniffed::Pdf;
    }
    if b.len() >= 26 && b.starts_with(b"BM") {
        let dib = u32::from_le_bytes([b[14], b[15], b[16], b[17]]);
        if matches!(dib, 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124) {
            return Sniffed::Bmp;
        }
    }
    Sniffed::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes() {
        assert_eq!(sniff(b""), Sniffed::Empty);
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Sniffed::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Sniffed::Png);
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Sniffed::Webp);
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Sniffed::Gif);
        assert_eq!(sniff(b"MM\0*\0\0\0\x08"), Sniffed::Tiff);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), Sniffed::Heic);
        assert_eq!(sniff(b"\0\0\0\x1cftypmif1\0\0\0\0mif1miafMiHB"), Sniffed::Heic);
        assert_eq!(sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"), Sniffed::Avif);
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0isomiso2"), Sniffed::Unknown);
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3"), Sniffed::Pdf);
        assert_eq!(sniff(b"\r\n%PDF-1.4\n"), Sniffed::Pdf);
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 12]);
        bmp.extend_from_slice(&40u32.to_le_bytes());
        bmp.extend_from_slice(&[0; 8]);
        assert_eq!(sniff(&bmp), Sniffed::Bmp);
        assert_eq!(sniff(b"BM is also how this text starts"), Sniffed::Unknown);
        assert_eq!(sniff(b"name,number\n"), Sniffed::Unknown);
    }
}
