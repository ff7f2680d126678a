//! Contract bindings, generated at build time from the project's own Solidity sources
//! (see `sdk/build.rs`). Each module exposes the contract's calls, events, errors, structs and
//! an `*Instance` type over any alloy provider.

include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
