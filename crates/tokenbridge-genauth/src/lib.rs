//! tokenbridge adapter for genauth (being written).
