//! Text analysis: Unicode normalisation, script detection, transliteration
//! with variants, tokenising, honorifics and legal forms, phonetic keys.
