//! The demo's scenario: the records, the gamer's copies, and the small text model whose outputs
//! the paid inferences carry.

pub mod corpus;
pub mod ngram;
pub mod scenario;
