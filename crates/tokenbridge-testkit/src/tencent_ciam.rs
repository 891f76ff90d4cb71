//! Emulator for tencent_ciam (being written).
