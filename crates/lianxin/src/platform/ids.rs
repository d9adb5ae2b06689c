//! Identifier newtypes for the ids that cross module boundaries, so that a congress id is never
//! passed where a user id is meant.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// 人民代表大会 — a congress, the tenant of the system.
    CongressId
);
id_type!(
    /// An account (global; roles are granted per congress).
    UserId
);
id_type!(
    /// A natural person (global; may be a deputy of several congresses).
    PersonId
);
