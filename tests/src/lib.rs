//! Golden corpus.
