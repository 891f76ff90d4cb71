//! Loopback emulators and conformance checks for tokenbridge adapters.
