//! tokenbridge adapter for tencent-ciam (being written).
