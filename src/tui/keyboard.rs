//! The user's keyboard: with a Bulgarian layout switched on, the letter keys send Cyrillic
//! letters; the TUI's command keys are read by the physical key, so `s` starts a server whichever
//! layout is on. BDS (Windows' default "Bulgarian": the key of s sends я, of l sends в) is
//! assumed; the phonetic layout (s sends с) is `[tui] keyboard = "phonetic"` in obmen.toml, as
//! the two disagree (я is s in BDS and q in phonetic). Text being typed (a name, a value, a
//! search, an order number) is never mapped.

use serde::Deserialize;

/// A Bulgarian keyboard layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keyboard {
    /// БДС (BDS 5237:1978), Windows' "Bulgarian".
    #[default]
    Bds,
    /// The traditional phonetic layout ("Bulgarian (Phonetic Traditional)").
    Phonetic,
}

/// Each layout's letters on the US keys, in the order of [`US_KEYS`].
const US_KEYS: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,./`\\";
const BDS: &str = ",уеишщксдзц;ьяаожгтнвмчюйъэфхпрлб`\\";
const PHONETIC: &str = "явертъуиопшщасдфгхйкл;'зьцжбнм,./чю";

impl Keyboard {
    /// The setting's value as written, or None when it is no layout.
    pub fn parse(s: &str) -> Option<Keyboard> {
        match s.trim().to_lowercase().as_str() {
            "bds" | "бдс" => Some(Keyboard::Bds),
            "phonetic" | "фонетична" => Some(Keyboard::Phonetic),
            _ => None,
        }
    }

    /// The key (as on a US keyboard) that sends `c` in this layout: a Cyrillic letter becomes
    /// the Latin letter of its key, in the same case; anything else is itself.
    pub fn latin(self, c: char) -> char {
        let cyrillic = match self {
            Keyboard::Bds => BDS,
            Keyboard::Phonetic => PHONETIC,
        };
        let lower: String = c.to_lowercase().collect();
        let mut lower = lower.chars();
        let (Some(l), None) = (lower.next(), lower.next()) else { return c };
        if !('\u{0400}'..='\u{04FF}').contains(&l) {
            return c;
        }
        match cyrillic.chars().position(|x| x == l).and_then(|i| US_KEYS.chars().nth(i)) {
            Some(key) if c != l => key.to_ascii_uppercase(),
            Some(key) => key,
            None => c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_letters_are_read_by_their_key() {
        assert_eq!(US_KEYS.chars().count(), BDS.chars().count());
        assert_eq!(US_KEYS.chars().count(), PHONETIC.chars().count());
        // The keys the TUI answers: start, stop, log, runs, quarantine, test, new, edit, delete,
        // hide, quit, why, and the views' own.
        for (key, bds, phonetic) in [
            ('s', 'я', 'с'),
            ('x', 'й', 'ь'),
            ('l', 'в', 'л'),
            ('r', 'и', 'р'),
            ('u', 'к', 'у'),
            ('t', 'ш', 'т'),
            ('n', 'х', 'н'),
            ('e', 'е', 'е'),
            ('d', 'а', 'д'),
            ('h', 'г', 'х'),
            ('q', ',', 'я'),
            ('w', 'у', 'в'),
            ('k', 'н', 'к'),
            ('j', 'т', 'й'),
            ('g', 'ж', 'г'),
            ('y', 'щ', 'ъ'),
        ] {
            if bds != ',' {
                assert_eq!(Keyboard::Bds.latin(bds), key, "BDS {bds}");
            }
            assert_eq!(Keyboard::Phonetic.latin(phonetic), key, "phonetic {phonetic}");
        }
        // Shift: the capital's key in capitals (R retries, D drops, L switches the language).
        assert_eq!(Keyboard::Bds.latin('И'), 'R');
        assert_eq!(Keyboard::Bds.latin('В'), 'L');
        assert_eq!(Keyboard::Phonetic.latin('Д'), 'D');
        // Latin, digits and signs are themselves.
        for c in ['s', 'S', '1', '?', ' ', '/'] {
            assert_eq!(Keyboard::Bds.latin(c), c);
        }
        assert_eq!(Keyboard::parse(" Phonetic "), Some(Keyboard::Phonetic));
        assert_eq!(Keyboard::parse("dvorak"), None);
    }
}
