//! Which language a text is written in (whatlang's trigram detector, kept
//! behind the crate's own types so the dependency does not leak).

use super::stem::Language;

/// Bytes of an article's start that detection reads.
///
/// Note: whatlang's time grows with the text; the first 2 KiB (a lead and a
/// few paragraphs of wire copy) decide the language as well as the whole
/// article and keep detection a small part of scoring a long article.
pub const DETECT_BYTES: usize = 2048;

/// A detected language: its ISO 639-3 code (`"eng"`, `"fra"`, `"arb"`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetectedLanguage {
    /// ISO 639-3 code, as whatlang names it.
    pub code: &'static str,
}

/// The language of `text` (its first [`DETECT_BYTES`]), when the detector
/// is confident; `None` for text too short or too mixed to tell.
pub fn detect_language(text: &str) -> Option<DetectedLanguage> {
    let mut end = text.len().min(DETECT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let info = whatlang::detect(&text[..end])?;
    info.is_reliable().then(|| DetectedLanguage {
        code: info.lang().code(),
    })
}

impl Language {
    /// The ISO 639-3 code of the language (as [`detect_language`] names it).
    pub fn iso639_3(self) -> &'static str {
        match self {
            // Note: whatlang detects Arabic as Standard Arabic and Norwegian as Bokmål.
            Language::Arabic => "ara",
            Language::Danish => "dan",
            Language::Dutch => "nld",
            Language::English => "eng",
            Language::Finnish => "fin",
            Language::French => "fra",
            Language::German => "deu",
            Language::Greek => "ell",
            Language::Hungarian => "hun",
            Language::Italian => "ita",
            Language::Norwegian => "nob",
            Language::Portuguese => "por",
            Language::Romanian => "ron",
            Language::Russian => "rus",
            Language::Spanish => "spa",
            Language::Swedish => "swe",
            Language::Tamil => "tam",
            Language::Turkish => "tur",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_told_apart_and_short_text_is_not_guessed() {
        let en = "Iraqi lawmakers voted on Sunday to end the presence of foreign troops in the country, \
                  a decision the government said it would carry out after talks with Washington.";
        let fr =
            "Les députés irakiens ont voté dimanche la fin de la présence des troupes étrangères \
                  dans le pays, une décision que le gouvernement appliquera après des discussions.";
        let ar = "صوت البرلمان العراقي يوم الأحد على إنهاء وجود القوات الأجنبية في البلاد بعد محادثات طويلة مع واشنطن.";
        assert_eq!(
            detect_language(en).map(|d| d.code),
            Some(Language::English.iso639_3())
        );
        assert_eq!(
            detect_language(fr).map(|d| d.code),
            Some(Language::French.iso639_3())
        );
        assert_eq!(
            detect_language(ar).map(|d| d.code),
            Some(Language::Arabic.iso639_3())
        );
        assert_eq!(detect_language("OK."), None);
        // The cut at DETECT_BYTES falls inside a character without a panic.
        let long = "é".repeat(DETECT_BYTES);
        let _ = detect_language(&long);
    }
}
