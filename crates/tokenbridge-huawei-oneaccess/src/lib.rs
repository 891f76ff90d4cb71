//! tokenbridge adapter for huawei-oneaccess (being written).
