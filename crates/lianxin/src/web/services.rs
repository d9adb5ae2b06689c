//! The slices' long-lived services (a group-commit writer, a hook one slice offers another), held
//! in the shared state by their type. The web layer sits below the slices and cannot name their
//! types; the application layer registers each service at start-up and a slice's handler asks
//! for its own by type ([`AppState::service`](super::AppState::service)).

use crate::platform::error::AppError;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// Services by type, fixed once the server starts.
#[derive(Clone, Default)]
pub struct Services(Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl Services {
    /// Adds `service`, replacing one of the same type. Start-up only (before the state is shared).
    pub fn with<T: Any + Send + Sync>(mut self, service: T) -> Self {
        let mut map = (*self.0).clone();
        map.insert(TypeId::of::<T>(), Arc::new(service));
        self.0 = Arc::new(map);
        self
    }

    /// The service of type `T`. Its absence is a start-up defect: an internal error, logged.
    pub fn get<T: Any + Send + Sync>(&self) -> Result<&T, AppError> {
        self.0
            .get(&TypeId::of::<T>())
            .and_then(|s| s.downcast_ref::<T>())
            .ok_or_else(|| {
                AppError::internal(format!(
                    "service not registered: {}",
                    std::any::type_name::<T>()
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Writer(u8);

    #[test]
    fn a_service_is_found_by_its_type_and_a_missing_one_is_an_error() {
        let s = Services::default().with(Writer(7));
        assert_eq!(s.get::<Writer>().unwrap(), &Writer(7));
        assert!(s.get::<String>().is_err());
        let s = s.with(Writer(8));
        assert_eq!(s.get::<Writer>().unwrap(), &Writer(8));
    }
}
