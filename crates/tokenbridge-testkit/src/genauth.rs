//! Emulator for genauth (being written).
