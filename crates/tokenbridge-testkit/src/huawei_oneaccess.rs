//! Emulator for huawei_oneaccess (being written).
