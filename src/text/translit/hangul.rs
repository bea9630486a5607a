//! Hangul → Latin. Korean names are spelled in many ways ("Kim Jong Un",
//! "Gim Jeong-eun", "Kim Chong-un", "Park"/"Bak"/"Pak"), so a name gives up to
//! eight variants that combine a surname spelling (Revised Romanization,
//! popular, North Korean/McCune-Reischauer) with a given-name style, given
//! syllables apart ("jong un") or joined ("jongun").
//!
//! A word of 2–4 syllables that starts with a known surname is treated as a
//! personal name (surname + given name); any other word is romanised as one
//! word. Syllable-boundary sound changes of Revised Romanization are not
//! applied: names are romanised syllable by syllable, as the lists do.

/// Number of systems [`romanise`] knows.
pub const SCHEMES: usize = 8;

/// How a syllable is spelled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Revised Romanization (South Korea, 2000).
    Rr,
    /// North Korean / McCune-Reischauer without diacritics, voiced initials.
    Nk,
    /// South Korean popular spellings (ㅓ → u, ㅕ → yu: "Jung", "Myung").
    Pop,
    /// McCune-Reischauer with a devoiced first initial ("Chong").
    Mr,
    /// North Korean official spelling as the lists write DPRK names, each
    /// syllable apart: word-initial ㄱ ㄷ ㅂ devoiced, ㅈ as j ("Pak Pong
    /// Ju", "Kim Kyok Sik", "Jang Song Thaek").
    Dprk,
}

const INITIAL_RR: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
const INITIAL_DPRK: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th",
    "ph", "h",
];
const INITIAL_DEVOICED: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch", "k", "t",
    "p", "h",
];
const VOWEL_RR: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
const VOWEL_NK: [&str; 21] = [
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "u", "ui", "i",
];
const VOWEL_POP: [&str; 21] = [
    "a", "ae", "ya", "yae", "u", "e", "yu", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
const FINAL: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

/// Surnames: syllable(s), then RR, popular and a third common spelling.
const SURNAMES: &[(&str, [&str; 3])] = &[
    ("김", ["gim", "kim", "kim"]),
    ("이", ["i", "lee", "yi"]),
    ("리", ["ri", "ri", "lee"]),
    ("박", ["bak", "park", "pak"]),
    ("최", ["choe", "choi", "choe"]),
    ("정", ["jeong", "jung", "chong"]),
    ("강", ["gang", "kang", "kang"]),
    ("조", ["jo", "cho", "jo"]),
    ("윤", ["yun", "yoon", "yun"]),
    ("장", ["jang", "jang", "chang"]),
    ("임", ["im", "lim", "im"]),
    ("림", ["rim", "rim", "lim"]),
    ("한", ["han", "han", "han"]),
    ("오", ["o", "oh", "o"]),
    ("서", ["seo", "suh", "so"]),
    ("신", ["sin", "shin", "sin"]),
    ("권", ["gwon", "kwon", "kwon"]),
    ("황", ["hwang", "hwang", "hwang"]),
    ("안", ["an", "ahn", "an"]),
    ("송", ["song", "song", "song"]),
    ("류", ["ryu", "ryu", "yoo"]),
    ("유", ["yu", "yoo", "yu"]),
    ("전", ["jeon", "jun", "chon"]),
    ("홍", ["hong", "hong", "hong"]),
    ("고", ["go", "ko", "ko"]),
    ("문", ["mun", "moon", "mun"]),
    ("양", ["yang", "yang", "ryang"]),
    ("량", ["ryang", "ryang", "yang"]),
    ("손", ["son", "sohn", "son"]),
    ("배", ["bae", "bae", "pae"]),
    ("백", ["baek", "baek", "paek"]),
    ("허", ["heo", "hur", "ho"]),
    ("남", ["nam", "nam", "nam"]),
    ("심", ["sim", "shim", "sim"]),
    ("노", ["no", "roh", "no"]),
    ("로", ["ro", "roh", "ro"]),
    ("하", ["ha", "ha", "ha"]),
    ("곽", ["gwak", "kwak", "kwak"]),
    ("성", ["seong", "sung", "song"]),
    ("차", ["cha", "cha", "cha"]),
    ("주", ["ju", "joo", "chu"]),
    ("우", ["u", "woo", "u"]),
    ("구", ["gu", "koo", "ku"]),
    ("민", ["min", "min", "min"]),
    ("진", ["jin", "jin", "chin"]),
    ("지", ["ji", "ji", "chi"]),
    ("엄", ["eom", "um", "om"]),
    ("채", ["chae", "chae", "chae"]),
    ("원", ["won", "won", "won"]),
    ("천", ["cheon", "chun", "chon"]),
    ("방", ["bang", "bang", "pang"]),
    ("공", ["gong", "kong", "kong"]),
    ("현", ["hyeon", "hyun", "hyon"]),
    ("함", ["ham", "ham", "ham"]),
    ("변", ["byeon", "byun", "pyon"]),
    ("염", ["yeom", "yum", "yom"]),
    ("여", ["yeo", "yeo", "yo"]),
    ("추", ["chu", "choo", "chu"]),
    ("도", ["do", "do", "to"]),
    ("소", ["so", "so", "so"]),
    ("석", ["seok", "suk", "sok"]),
    ("선", ["seon", "sun", "son"]),
    ("설", ["seol", "sul", "sol"]),
    ("마", ["ma", "ma", "ma"]),
    ("길", ["gil", "kil", "kil"]),
    ("연", ["yeon", "yeon", "yon"]),
    ("위", ["wi", "wee", "wi"]),
    ("표", ["pyo", "pyo", "pyo"]),
    ("명", ["myeong", "myung", "myong"]),
    ("기", ["gi", "ki", "ki"]),
    ("반", ["ban", "ban", "pan"]),
    ("왕", ["wang", "wang", "wang"]),
    ("금", ["geum", "keum", "kum"]),
    ("옥", ["ok", "ok", "ok"]),
    ("육", ["yuk", "yuk", "yuk"]),
    ("인", ["in", "in", "in"]),
    ("맹", ["maeng", "maeng", "maeng"]),
    ("제", ["je", "je", "che"]),
    ("모", ["mo", "mo", "mo"]),
    ("탁", ["tak", "tak", "tak"]),
    ("국", ["guk", "kook", "kuk"]),
    ("계", ["gye", "kye", "kye"]),
    ("태", ["tae", "tae", "thae"]),
    ("남궁", ["namgung", "namkung", "namgung"]),
    ("황보", ["hwangbo", "hwangbo", "hwangbo"]),
    ("제갈", ["jegal", "jegal", "chegal"]),
    ("선우", ["seonu", "sunwoo", "sonu"]),
    ("독고", ["dokgo", "dokgo", "tokko"]),
    ("사공", ["sagong", "sakong", "sagong"]),
];

pub(super) fn surname(syllables: &[char]) -> Option<&'static [&'static str; 3]> {
    SURNAMES.iter().find_map(|(s, spellings)| {
        let mut it = s.chars();
        let matches = syllables.iter().all(|&c| it.next() == Some(c)) && it.next().is_none();
        matches.then_some(spellings)
    })
}

fn is_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Spells one syllable; `first` marks the first syllable of a word part (for
/// the devoiced initial of McCune-Reischauer).
fn syllable(c: char, style: Style, first: bool, out: &mut String) {
    if !is_syllable(c) {
        out.push_str(any_ascii::any_ascii_char(c));
        return;
    }
    let idx = (c as u32 - 0xAC00) as usize;
    let l = idx / 588;
    let v = (idx % 588) / 28;
    let t = idx % 28;
    let initial = if style == Style::Mr && first {
        INITIAL_DEVOICED.get(l)
    } else if style == Style::Dprk && first {
        INITIAL_DPRK.get(l)
    } else {
        INITIAL_RR.get(l)
    };
    let vowel = match style {
        Style::Rr => VOWEL_RR.get(v),
        Style::Nk | Style::Mr | Style::Dprk => VOWEL_NK.get(v),
        Style::Pop => VOWEL_POP.get(v),
    };
    let initial = initial.copied().unwrap_or("");
    let vowel = vowel.copied().unwrap_or("");
    // ㅅ before ㅣ is "shi" in popular and MR spellings.
    if l == 9 && v == 20 && matches!(style, Style::Pop | Style::Mr) {
        out.push_str("sh");
    } else {
        out.push_str(initial);
    }
    out.push_str(vowel);
    out.push_str(FINAL.get(t).copied().unwrap_or(""));
}

fn syllables(word: &[char], style: Style, joined: bool, out: &mut String) {
    for (k, &c) in word.iter().enumerate() {
        if k > 0 && !joined {
            out.push(' ');
        }
        syllable(c, style, k == 0, out);
    }
}

/// Romanises one run of Hangul with system `scheme` (see the module docs).
pub fn romanise(word: &[char], scheme: usize, out: &mut String) {
    let scheme = if scheme < SCHEMES { scheme } else { 0 };
    let n = word.len();
    if (2..=4).contains(&n) {
        let split = if n == 4 && word.get(..2).and_then(surname).is_some() {
            2
        } else {
            1
        };
        if let (Some(sn), Some(given)) = (word.get(..split).and_then(surname), word.get(split..))
            && !given.is_empty()
        {
            let (sur_idx, style, joined) = match scheme {
                0 => (0, Style::Rr, false),
                1 => (1, Style::Nk, false),
                2 => (1, Style::Nk, true),
                3 => (1, Style::Pop, false),
                4 => (0, Style::Rr, true),
                5 => (1, Style::Mr, false),
                6 => (1, Style::Pop, true),
                _ => (2, Style::Nk, false),
            };
            out.push_str(sn.get(sur_idx).copied().unwrap_or(""));
            out.push(' ');
            syllables(given, style, joined, out);
            return;
        }
    }
    let style = match scheme {
        1 | 2 | 7 => Style::Nk,
        3 | 6 => Style::Pop,
        5 => Style::Mr,
        _ => Style::Rr,
    };
    syllables(word, style, true, out);
}

/// Spells a personal name (surname first) the way the lists write North
/// Korean names: every syllable in the DPRK style, the given name's
/// syllables apart ("pak pong ju") or joined ("pak pongju").
pub(super) fn romanise_dprk(name: &[char], joined: bool, out: &mut String) {
    let split = if name.len() == 4 && name.get(..2).and_then(surname).is_some() {
        2
    } else {
        1
    };
    let (sur, given) = name.split_at(split.min(name.len()));
    for (k, &c) in sur.iter().enumerate() {
        syllable(c, Style::Dprk, k == 0, out);
    }
    for (k, &c) in given.iter().enumerate() {
        if k == 0 || !joined {
            out.push(' ');
        }
        syllable(c, Style::Dprk, k == 0 || !joined, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str, scheme: usize) -> String {
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::new();
        romanise(&chars, scheme, &mut out);
        out
    }

    #[test]
    fn kim_jong_un() {
        assert_eq!(r("김정은", 0), "gim jeong eun");
        assert_eq!(r("김정은", 1), "kim jong un");
        assert_eq!(r("김정은", 2), "kim jongun");
        assert_eq!(r("김정은", 3), "kim jung eun");
        assert_eq!(r("김정은", 4), "gim jeongeun");
        assert_eq!(r("김정은", 5), "kim chong un");
    }

    #[test]
    fn dprk_spelling() {
        let name = |s: &str, joined: bool| {
            let chars: Vec<char> = s.chars().collect();
            let mut out = String::new();
            romanise_dprk(&chars, joined, &mut out);
            out
        };
        assert_eq!(name("박봉주", false), "pak pong ju");
        assert_eq!(name("장성택", false), "jang song thaek");
        assert_eq!(name("김격식", false), "kim kyok sik");
        assert_eq!(name("최룡해", false), "choe ryong hae");
        assert_eq!(name("김철삼", true), "kim cholsam");
    }

    #[test]
    fn other_names_and_words() {
        assert_eq!(r("박근혜", 3), "park geun hye");
        assert_eq!(r("리철삼", 1), "ri chol sam");
        assert_eq!(r("남궁민수", 0), "namgung min su");
        assert_eq!(r("조선무역은행", 0), "joseonmuyeokeunhaeng");
    }
}
