//! Text normalisation, tokenisation and the word vocabulary.
//!
//! Every record and every output goes through the same rule before it is compared, so that
//! trivial edits (case, punctuation, spacing, full-width or ligature forms) cannot make a copy
//! look new, and so that two oracle nodes see the same tokens for the same bytes.
//!
//! # The rule
//! 1. Unicode NFKC (compatibility composition): `ﬁ` → `fi`, full-width `Ａ` → `A`, `①` → `1`.
//! 2. Lowercase (`char::to_lowercase`, full Unicode mapping, locale independent), then NFKC
//!    again (lowercasing can leave a string that is not in NFKC).
//! 3. A *word* is a maximal run of characters for which `char::is_alphanumeric` holds; every other
//!    character (punctuation, symbols, whitespace, control) only separates words. `don't` is the
//!    two words `don` and `t`; `e-mail` is `e` and `mail`; `3.14` is `3` and `14`.
//! 4. The normalised text is the words joined by one ASCII space.
//! 5. Steps 1 to 4 are applied again to that text until it no longer changes (at most 4 more
//!    rounds), so that normalising is idempotent.
//!
//! Character classes come from the Unicode tables of the pinned Rust toolchain and of the pinned
//! `unicode-normalization` crate: nodes must run the same versions to stay byte-identical.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

/// The words of `text` under the module's rule (NFKC, lowercase, NFKC, alphanumeric runs,
/// repeated until stable).
pub fn words(text: &str) -> Vec<String> {
    // An ASCII text is all ASCII runs (see `for_each_piece`): NFKC is the identity on ASCII,
    // and for ASCII characters `is_alphanumeric` and `to_lowercase` are their ASCII versions.
    if !text.is_ascii() && is_fixed_point(text) {
        return text.split(' ').map(str::to_owned).collect();
    }
    let mut out = Vec::new();
    for_each_piece(text, |piece| match piece {
        Piece::Ascii(word) => out.push(word.to_ascii_lowercase()),
        Piece::Other(piece) => out.extend(rounds(piece)),
    });
    out
}

/// A run of `text` between ASCII separators (ASCII characters that are not alphanumeric).
enum Piece<'a> {
    /// An ASCII word: its lowercase is its only word.
    Ascii(&'a str),
    /// A run holding other characters: the rule's rounds give its words.
    Other(&'a str),
}

/// The non-empty runs of `text` between ASCII separators, in order.
///
/// Why the rule can run on each run alone and give the words of the whole text: every step is
/// local at an ASCII separator. NFKC never composes an ASCII character with the one before it
/// (no canonical composition has an ASCII second element), and the only compositions with an
/// ASCII separator first are `<`, `=` and `>` with U+0338, which give symbols, separators either
/// way. Lowercasing is per character, and the separator itself is dropped by step 3. So round
/// one of the whole text is round one of each run, joined, and so is every later round (it runs
/// on the words joined by ASCII spaces); a run that is stable stays stable, so stopping per run
/// ends where the whole text's rounds end. `the_runs_give_the_rule_of_the_whole_text` checks it.
fn for_each_piece<'a>(text: &'a str, mut f: impl FnMut(Piece<'a>)) {
    for piece in text.split(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric()) {
        if piece.is_empty() {
            continue;
        }
        f(if piece.is_ascii() {
            Piece::Ascii(piece)
        } else {
            Piece::Other(piece)
        });
    }
}

/// The rule's rounds over a text that is neither ASCII nor already a fixed point.
fn rounds(text: &str) -> Vec<String> {
    let mut out = words_once(text);
    // Lowercasing can un-normalise (`Ω` → `ω` no longer composes as NFKC expects) and dropping
    // separators can bring combining marks together, so one round is not always a fixed point.
    // Repeating until nothing changes makes `normalize` idempotent, which the corpus relies on
    // (it re-tokenises clusters' normalised texts). Two rounds settle every case found so far.
    for _ in 0..4 {
        let joined = out.join(" ");
        // The common case, cheaply: a round over a fixed point would give `out` back.
        if is_fixed_point(&joined) {
            break;
        }
        let next = words_once(&joined);
        if next == out {
            break;
        }
        out = next;
    }
    out
}

/// Whether one round of the rule ([`words_once`], joined) returns `text` unchanged, checked
/// without running it: non-empty words of alphanumeric characters that are their own lowercase,
/// joined by single spaces, and the whole in NFKC. Then NFKC, lowercasing and NFKC again change
/// nothing, and splitting at the spaces gives the words back. `false` only means "run the round".
fn is_fixed_point(text: &str) -> bool {
    let own_lowercase = |c: char| {
        let mut lower = c.to_lowercase();
        lower.next() == Some(c) && lower.next().is_none()
    };
    !text.is_empty()
        && !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && text
            .chars()
            .all(|c| c == ' ' || (c.is_alphanumeric() && own_lowercase(c)))
        && unicode_normalization::is_nfkc(text)
}

fn words_once(text: &str) -> Vec<String> {
    let folded: String = text.nfkc().flat_map(char::to_lowercase).nfkc().collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The normalised form of `text`: its [`words`] joined by single spaces.
///
/// Two records are exact duplicates when their normalised forms are equal.
pub fn normalize(text: &str) -> String {
    if !text.is_ascii() && is_fixed_point(text) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut push = |word: &str, ascii: bool| {
        if !out.is_empty() {
            out.push(' ');
        }
        if ascii {
            out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            out.push_str(word);
        }
    };
    for_each_piece(text, |piece| match piece {
        Piece::Ascii(word) => push(word, true),
        Piece::Other(piece) => {
            if is_fixed_point(piece) {
                push(piece, false);
            } else {
                rounds(piece).iter().for_each(|w| push(w, false));
            }
        }
    });
    out
}

/// Token id of the separator placed between documents in a corpus. No word ever gets it, so no
/// query can match across two documents.
pub const SEPARATOR: u32 = 0;

/// Token id of an output word that does not occur in the corpus. It matches nothing.
pub const UNKNOWN: u32 = u32::MAX;

/// Word ↔ token id map of one corpus.
///
/// Ids are given in order of first appearance, starting at 1 (0 is [`SEPARATOR`]), so the same
/// corpus in the same order always gets the same ids. Lookups use a hash map, which is never
/// iterated: nothing about its order can leak into an output.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    ids: HashMap<String, u32, foldhash::fast::RandomState>,
    words: Vec<String>,
}

impl Vocabulary {
    /// An empty vocabulary.
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of `word`, adding it if it is new.
    ///
    /// Returns `None` only when the vocabulary already holds `u32::MAX - 1` words.
    pub fn intern(&mut self, word: &str) -> Option<u32> {
        if let Some(&id) = self.ids.get(word) {
            return Some(id);
        }
        let id = u32::try_from(self.words.len() + 1).ok()?;
        if id == UNKNOWN {
            return None;
        }
        self.ids.insert(word.to_owned(), id);
        self.words.push(word.to_owned());
        Some(id)
    }

    /// The id of `word`, or `None` when the corpus never contains it.
    pub fn get(&self, word: &str) -> Option<u32> {
        self.ids.get(word).copied()
    }

    /// The word with token id `id` (`None` for the separator, [`UNKNOWN`] or an unused id).
    pub fn word(&self, id: u32) -> Option<&str> {
        let index = usize::try_from(id).ok()?.checked_sub(1)?;
        self.words.get(index).map(String::as_str)
    }

    /// Number of distinct words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether no word was added.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Token ids of `text` (normalised first); words the corpus lacks become [`UNKNOWN`].
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        words(text)
            .iter()
            .map(|w| self.get(w).unwrap_or(UNKNOWN))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_punctuation_and_spacing() {
        assert_eq!(
            normalize("  Hello,   WORLD!\n\tIt's  a\u{00A0}test... "),
            "hello world it s a test"
        );
        assert_eq!(
            normalize("Hello world it s a test"),
            normalize("HELLO—WORLD; it'S A tEsT")
        );
    }

    #[test]
    fn nfkc_folds_compatibility_forms() {
        // Full-width letters, a ligature, a circled digit, a decomposed accent.
        assert_eq!(normalize("ＡＢＣ ﬁne ① cafe\u{0301}"), "abc fine 1 café");
        assert_eq!(normalize("café"), normalize("cafe\u{0301}"));
    }

    proptest::proptest! {
        #[test]
        fn the_ascii_fast_path_equals_the_general_rule(s in "[ -~\t\n]{0,60}") {
            proptest::prop_assert_eq!(words(&s), words_once(&s));
            proptest::prop_assert_eq!(normalize(&s), words_once(&s).join(" "));
        }
    }

    /// The rule as first written: rounds until one changes nothing, no shortcut.
    fn words_by_rounds(text: &str) -> Vec<String> {
        let mut out = words_once(text);
        for _ in 0..4 {
            let next = words_once(&out.join(" "));
            if next == out {
                break;
            }
            out = next;
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The fixed-point shortcut never changes a result, on raw text or on normalised text
        /// (where it is taken).
        #[test]
        fn the_fixed_point_shortcut_equals_the_rounds(s in "\\PC{0,40}") {
            proptest::prop_assert_eq!(words(&s), words_by_rounds(&s));
            let once = normalize(&s);
            proptest::prop_assert_eq!(words(&once), words_by_rounds(&once));
            if is_fixed_point(&s) {
                proptest::prop_assert_eq!(words_once(&s).join(" "), s.clone());
            }
        }
    }

    /// The characters where splitting a text at its ASCII separators could go wrong: ASCII
    /// separators that compose with what follows (`<`, `=`, `>` with U+0338), combining marks
    /// (some alphabetic, U+0345 which NFKC turns into a letter), letters that compose with a
    /// later mark, Hangul jamo and Bengali vowel signs (starters that compose with the one before),
    /// compatibility forms that expand to ASCII separators (`㏂` is `a.m.`, `½` holds U+2044),
    /// and the Greek and Turkish case traps.
    const TRICKY: &[char] = &[
        '<', '=', '>', '\u{0338}', ' ', '.', '-', '\'', 'e', 'A', 'i', '1', '\u{0301}', '\u{0345}',
        '\u{0307}', '\u{0327}', '\u{1100}', '\u{1161}', '\u{11A8}', '\u{AC00}', '\u{09C7}',
        '\u{09BE}', '\u{09D7}', '\u{33C2}', '\u{00BD}', '\u{FB01}', '\u{2460}', '\u{FF21}',
        '\u{FF0E}', '\u{03A3}', '\u{2126}', '\u{1FBE}', '\u{037A}', '\u{0130}', '\u{00DF}',
        '\u{2014}', '\u{00A0}', '\u{3000}',
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// `words` and `normalize` run the rule per run between ASCII separators; it must give
        /// what the rule gives over the whole text.
        #[test]
        fn the_runs_give_the_rule_of_the_whole_text(
            s in proptest::collection::vec(proptest::sample::select(TRICKY.to_vec()), 0..24)
        ) {
            let s: String = s.into_iter().collect();
            let whole = words_by_rounds(&s);
            proptest::prop_assert_eq!(words(&s), whole.clone());
            proptest::prop_assert_eq!(normalize(&s), whole.join(" "));
        }

        #[test]
        fn the_runs_give_the_rule_of_the_whole_text_on_any_unicode(s in "\\PC{0,40}") {
            let whole = words_by_rounds(&s);
            proptest::prop_assert_eq!(words(&s), whole.clone());
            proptest::prop_assert_eq!(normalize(&s), whole.join(" "));
        }
    }

    #[test]
    fn fixed_points_are_recognised() {
        assert!(is_fixed_point("café au lait 42"));
        assert!(is_fixed_point("ωραίο"));
        for not in [
            "",
            " a",
            "a ",
            "a  b",
            "Café",
            "ﬁne",
            "cafe\u{0301}",
            "a-b",
            "\u{3a3}",
        ] {
            assert!(!is_fixed_point(not), "{not:?}");
        }
    }

    #[test]
    fn greek_iota_subscript_regression() {
        // Found by the property below: lowercasing then composing needs a second round.
        for s in [
            "\u{2126}\u{301}\u{345}\u{345}",
            "\u{38F}\u{345}\u{345}",
            "\u{1FFC}\u{301}",
        ] {
            let once = normalize(s);
            assert_eq!(normalize(&once), once, "{s:?}");
        }
    }

    #[test]
    fn empty_and_symbol_only_texts_have_no_words() {
        assert!(words("").is_empty());
        assert!(words(" ... --- !!! ").is_empty());
        assert_eq!(normalize("?!"), "");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// The corpus re-tokenises clusters' normalised texts: normalising twice must change
        /// nothing, for any Unicode input.
        #[test]
        fn normalisation_is_idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            proptest::prop_assert_eq!(normalize(&once), once.clone());
            proptest::prop_assert_eq!(words(&once), words(&s));
        }

        #[test]
        fn normalisation_is_idempotent_on_tricky_characters(
            s in proptest::collection::vec(
                proptest::sample::select(vec![
                    '\u{0130}', '\u{0301}', '\u{0345}', '\u{1E9E}', '\u{FB01}', '\u{2460}',
                    '\u{FF21}', '\u{03A3}', '\u{00DF}', '\u{0069}', '\u{0307}', ' ', 'A',
                    '\u{1F600}', '\u{2126}', '\u{212B}', '\u{0387}', '\u{1FBE}', '\u{037A}',
                ]),
                0..20,
            )
        ) {
            let s: String = s.into_iter().collect();
            let once = normalize(&s);
            proptest::prop_assert_eq!(normalize(&once), once);
        }
    }

    #[test]
    fn vocabulary_ids_follow_first_appearance() {
        let mut v = Vocabulary::new();
        assert_eq!(v.intern("b"), Some(1));
        assert_eq!(v.intern("a"), Some(2));
        assert_eq!(v.intern("b"), Some(1));
        assert_eq!(v.len(), 2);
        assert_eq!(v.word(2), Some("a"));
        assert_eq!(v.word(SEPARATOR), None);
        assert_eq!(v.word(UNKNOWN), None);
        assert_eq!(v.tokenize("A, b; zzz"), vec![2, 1, UNKNOWN]);
    }
}
