//! Synthetic districts at scale for the benchmark harness: many congresses, up to millions of
//! persons and tens of thousands of deputies, written with multi-row INSERTs in large
//! transactions. Names and ID numbers are fictional (region codes 98xxxx).
