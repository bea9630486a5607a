//! Interned strings for the keys of listed tokens: the same few hundred
//! thousand spellings, canonical forms, phonetic keys and skeletons recur
//! across millions of listed names, so every token refers to one shared
//! copy of each. A [`Sym`] is one pointer (8 bytes: `arcstr::ArcStr` keeps
//! the length beside the text, where `Arc<str>` would carry it in a second
//! word, and a `String` in two more plus its own allocation); a token holds
//! four of them. A [`Sym`] reads as a `&str` everywhere. A build and a read
//! from disk make and decode them inside [`sharing_text`], so each text is
//! allocated once: sharing them afterwards would free millions of small
//! copies between the live tokens and leave the allocator's pages part
//! empty (about 550 bytes per party of resident memory at 100,000 parties).

use arcstr::ArcStr;
use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

/// An immutable string, cheap to clone, shared once interned.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(ArcStr);

impl Sym {
    /// Inside [`sharing_text`], the shared copy of `text` (no new one when
    /// it has been seen); else a copy of its own.
    pub fn new(text: &str) -> Sym {
        SHARING.with(|scope| match &*scope.borrow() {
            Some(interner) => interner
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .shared(text),
            None => Sym::from(text),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where the text is: the same for every copy of one shared text, and
    /// different for any two different texts alive at once.
    pub fn addr(&self) -> usize {
        self.0.as_ptr() as usize
    }

    /// True when both refer to the same shared copy (after interning, equal
    /// keys do).
    pub fn shares_text_with(&self, other: &Sym) -> bool {
        ArcStr::ptr_eq(&self.0, &other.0)
    }
}

impl Default for Sym {
    /// The empty text, which allocates nothing.
    fn default() -> Sym {
        Sym(ArcStr::new())
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
        Sym(ArcStr::from(s))
    }
}

impl From<String> for Sym {
    fn from(s: String) -> Sym {
        Sym(ArcStr::from(s))
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

impl PartialEq<String> for Sym {
    fn eq(&self, other: &String) -> bool {
        self.0.as_str() == other.as_str()
    }
}

impl fmt::Debug for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0.as_str(), f)
    }
}

impl serde::Serialize for Sym {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Sym {
    /// As [`Sym::new`] makes it.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Sym, D::Error> {
        d.deserialize_str(SymVisitor)
    }
}

struct SymVisitor;

impl serde::de::Visitor<'_> for SymVisitor {
    type Value = Sym;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Sym, E> {
        Ok(Sym::new(text))
    }
}

thread_local! {
    /// The interner of the [`sharing_text`] running on this thread.
    static SHARING: RefCell<Option<Arc<Mutex<Interner>>>> = const { RefCell::new(None) };
}

/// Runs `make` with every [`Sym`] it makes with [`Sym::new`] or decodes
/// taken from `interner`: equal texts share one copy, allocated once.
/// Several threads may share one interner at once.
pub fn sharing_text<T>(interner: &Arc<Mutex<Interner>>, make: impl FnOnce() -> T) -> T {
    /// Puts back the thread's previous interner, also when `make` panics.
    struct Restore(Option<Arc<Mutex<Interner>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            SHARING.with(|d| *d.borrow_mut() = previous);
        }
    }
    let previous = SHARING.with(|d| d.borrow_mut().replace(Arc::clone(interner)));
    let _restore = Restore(previous);
    make()
}

/// The shared copies seen so far; kept only while a set of parties is
/// being made (each [`Sym`] keeps its own text alive afterwards).
#[derive(Default)]
pub struct Interner {
    seen: HashSet<Sym>,
}

impl Interner {
    /// An empty interner that several threads' [`sharing_text`] can use.
    pub fn for_threads() -> Arc<Mutex<Interner>> {
        Arc::new(Mutex::new(Interner::default()))
    }

    /// The shared copy of `text`, made from it when it is the first.
    pub fn shared(&mut self, text: &str) -> Sym {
        match self.seen.get(text) {
            Some(shared) => shared.clone(),
            None => {
                let new = Sym::from(text);
                self.seen.insert(new.clone());
                new
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
        let a = interner.shared("muhammad");
        let b = interner.shared(String::from("muhammad").as_str());
        let c = interner.shared("mohamed");
        assert!(a.shares_text_with(&b));
        assert!(!a.shares_text_with(&c));
        assert!(!a.shares_text_with(&Sym::from("muhammad")));
        assert_eq!(interner.len(), 2);
        assert_eq!(a, "muhammad");
        assert_eq!(&*c, "mohamed");
    }

    #[test]
    fn a_sym_is_one_pointer_and_the_empty_one_allocates_nothing() {
        assert_eq!(std::mem::size_of::<Sym>(), std::mem::size_of::<usize>());
        assert!(Sym::default().shares_text_with(&Sym::default()));
        assert_eq!(Sym::default(), "");
    }

    #[test]
    fn reads_back_as_the_same_text() {
        let s = Sym::from("al rashid");
        let bytes = postcard::to_stdvec(&s).expect("encoded");
        assert_eq!(bytes, postcard::to_stdvec("al rashid").expect("encoded"));
        let back: Sym = postcard::from_bytes(&bytes).expect("decoded");
        assert_eq!(back, s);
    }

    #[test]
    fn decoded_in_a_shared_scope_equal_texts_share_one_copy_across_threads() {
        let words = ["muhammad", "mohamed", "muhammad", "ali", "mohamed"];
        let bytes = postcard::to_stdvec(&words[..]).expect("encoded");
        let interner = Interner::for_threads();
        let decode = || -> Vec<Sym> {
            sharing_text(&interner, || postcard::from_bytes(&bytes).expect("decoded"))
        };
        let (here, there) = std::thread::scope(|s| {
            let there = s.spawn(decode);
            (decode(), there.join().expect("thread"))
        });
        assert_eq!(here, words);
        assert_eq!(there, words);
        assert!(here[0].shares_text_with(&here[2]));
        assert!(here[1].shares_text_with(&here[4]));
        assert!(here[0].shares_text_with(&there[0]));
        assert!(!here[0].shares_text_with(&here[1]));
        assert_eq!(interner.lock().expect("lock").len(), 3);
        // Outside the scope, a decoded text is a copy of its own.
        let outside: Vec<Sym> = postcard::from_bytes(&bytes).expect("decoded");
        assert!(!outside[0].shares_text_with(&here[0]));
        assert!(!outside[0].shares_text_with(&outside[2]));
    }
}
