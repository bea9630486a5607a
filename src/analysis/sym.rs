//! Interned strings for the keys of listed tokens: the same few hundred
//! thousand spellings, canonical forms, phonetic keys and skeletons recur
//! across millions of listed names, so every token refers to one shared
//! copy of each (16 bytes per key instead of a 24-byte `String` and its own
//! allocation). A [`Sym`] reads as a `&str` everywhere; [`Interner`] makes
//! equal ones share their text after a build or a read from disk.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// An immutable string, cheap to clone, shared once interned.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(Arc<str>);

impl Sym {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when both refer to the same shared copy (after interning, equal
    /// keys do).
    pub fn shares_text_with(&self, other: &Sym) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for Sym {
    fn default() -> Sym {
        Sym::from("")
    }
}

impl Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Sym {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Sym {
    fn from(s: &str) -> Sym {
        Sym(Arc::from(s))
    }
}

impl From<String> for Sym {
    fn from(s: String) -> Sym {
        Sym(Arc::from(s))
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Sym {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl fmt::Debug for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl serde::Serialize for Sym {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Sym {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Sym, D::Error> {
        String::deserialize(d).map(Sym::from)
    }
}

/// The shared copies seen so far; kept only while a set of parties is
/// being made (each [`Sym`] keeps its own text alive afterwards).
#[derive(Default)]
pub struct Interner {
    seen: HashSet<Sym>,
}

impl Interner {
    /// Replaces `s` by the shared copy of its text (making it the shared
    /// copy when it is the first).
    pub fn intern(&mut self, s: &mut Sym) {
        match self.seen.get(s.as_str()) {
            Some(shared) => *s = shared.clone(),
            None => {
                self.seen.insert(s.clone());
            }
        }
    }

    /// Distinct texts seen.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_end_up_sharing_one_copy() {
        let mut interner = Interner::default();
        let mut a = Sym::from("muhammad".to_string());
        let mut b = Sym::from("muhammad");
        let mut c = Sym::from("mohamed");
        assert!(!a.shares_text_with(&b));
        interner.intern(&mut a);
        interner.intern(&mut b);
        interner.intern(&mut c);
        assert!(a.shares_text_with(&b));
        assert!(!a.shares_text_with(&c));
        assert_eq!(interner.len(), 2);
        assert_eq!(a, "muhammad");
        assert_eq!(&*c, "mohamed");
    }

    #[test]
    fn reads_back_as_the_same_text() {
        let s = Sym::from("al rashid");
        let bytes = postcard::to_stdvec(&s).expect("encoded");
        assert_eq!(bytes, postcard::to_stdvec("al rashid").expect("encoded"));
        let back: Sym = postcard::from_bytes(&bytes).expect("decoded");
        assert_eq!(back, s);
    }
}
