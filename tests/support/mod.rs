//! Fixtures shared by the facade's test files (each test file uses what it needs).
#![allow(dead_code)]

pub(crate) mod vendors;
