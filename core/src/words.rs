//! Closed sets of snake_case words on the wire (verdicts, statuses, kinds, owners, fact types,
//! operators …), each declared once with [`words!`]: the enum, its serde names, its wire
//! names for the hand decoder and the report writer, and its compact code all come from that
//! one declaration.

/// A closed set of words on the wire, decoded without serde's generic machinery (which would
/// pull float formatting and buffering into the WASM build).
pub trait Word: Sized + Copy + PartialEq + 'static {
    /// Every value with its wire name, in declaration order.
    const WORDS: &'static [(&'static str, Self)];

    /// The wire names alone, in declaration order (for the code shared by every set).
    const NAMES: &'static [&'static str];

    /// The value for a wire name.
    #[must_use]
    fn from_word(s: &str) -> Option<Self> {
        Self::WORDS.get(position(Self::NAMES, s)?).map(|(_, v)| *v)
    }

    /// This value's wire name.
    #[must_use]
    fn word(self) -> &'static str {
        Self::WORDS
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("", |(w, _)| w)
    }

    /// The allowed names, comma-separated.
    #[must_use]
    fn allowed() -> alloc::string::String {
        join(Self::NAMES, ", ")
    }
}

/// Where `s` is in `names` (one copy for every set of words: WASM size).
pub(crate) fn position(names: &[&str], s: &str) -> Option<usize> {
    names.iter().position(|w| *w == s)
}

/// `items` joined by `sep`: for every list in a message (one short loop per element type,
/// where `[T]::join` is a large copy per type: WASM size).
pub(crate) fn join<S: AsRef<str>>(items: &[S], sep: &str) -> alloc::string::String {
    let mut out = alloc::string::String::new();
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(s.as_ref());
    }
    out
}

/// Declares a closed set of wire words: `Variant = "word"` per value. Emits the enum (with the
/// given attributes, e.g. `#[non_exhaustive]`), serde names, [`Word`], `as_str` (an exhaustive
/// match), `code` (the declaration index, used by the compact output) and the report writer.
macro_rules! words {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $word)] $variant ),+
        }

        impl $crate::words::Word for $name {
            const WORDS: &'static [(&'static str, Self)] = &[ $( ($word, Self::$variant) ),+ ];
            const NAMES: &'static [&'static str] = &[ $( $word ),+ ];
        }

        impl $name {
            /// The value's wire name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $word ),+ }
            }

            /// The value's position in its declaration: its code in compact output.
            #[must_use]
            pub const fn code(self) -> u32 {
                self as u32
            }
        }

        impl $crate::compiled::Bin for $name {
            fn put(&self, w: &mut $crate::compiled::Writer) {
                $crate::compiled::Bin::put(&self.code(), w);
            }
            fn get(r: &mut $crate::compiled::Reader<'_>) -> Self {
                let i = <usize as $crate::compiled::Bin>::get(r);
                match <Self as $crate::words::Word>::WORDS.get(i) {
                    Some(w) => w.1,
                    // Failed: the reader now reads zeros, so this reads the first word.
                    None => {
                        r.fail();
                        <Self as $crate::compiled::Bin>::get(r)
                    }
                }
            }
        }

        impl $crate::write::WriteJson for $name {
            fn write_json(&self, out: &mut alloc::string::String) {
                out.push('"');
                out.push_str(self.as_str());
                out.push('"');
            }
        }
    };
}

pub(crate) use words;
