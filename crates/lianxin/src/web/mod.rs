//! The web toolkit every slice's handlers use: the shared state, the request context and its
//! middleware, extractors, the page shell, error rendering, rate limits, metrics and static
//! assets. It sits below the domain slices and knows none of them; the router that joins their
//! routes, the OpenAPI document and the home page are the application layer's ([`crate::app`]).

pub mod assets;
pub mod chart;
pub mod ctx;
pub mod errors;
pub mod extract;
pub mod home;
pub mod limit;
pub mod metrics;
pub mod ops;
pub mod qr;
pub mod redact;
pub mod retry;
pub mod services;
pub mod shell;

use crate::accounts::policy::PolicySettings;
use crate::db::Db;
use crate::platform::clock::Clock;
use crate::platform::config::Config;
use crate::platform::error::AppError;
use std::sync::Arc;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub metrics: Arc<metrics::Metrics>,
    /// Demo mode: banner on every page, demo accounts listed on the login page.
    pub demo: bool,
    /// The demo district's accounts and password, for the login page in demo mode.
    pub demo_sign_in: DemoSignIn,
    pub limiter: Arc<limit::Limiter>,
    /// The slices' writers and hooks, registered at start-up (`app::server`): the opinions'
    /// and the ballots' group-commit writers among them.
    pub services: services::Services,
}

/// The demo district's sign-in help: its accounts (user name, role key) and password.
#[derive(Clone, Copy)]
pub struct DemoSignIn {
    pub accounts: fn() -> Vec<(&'static str, &'static str)>,
    pub password: &'static str,
}

impl Default for DemoSignIn {
    fn default() -> Self {
        DemoSignIn {
            accounts: Vec::new,
            password: "",
        }
    }
}

impl AppState {
    /// The slice service of type `T` (see [`services`]).
    pub fn service<T: std::any::Any + Send + Sync>(&self) -> Result<&T, AppError> {
        self.services.get()
    }

    pub fn policy(&self) -> PolicySettings {
        PolicySettings {
            district_staff_see_towns: self.config.district_staff_see_towns,
        }
    }
}

/// Request bodies above this are refused (413) before a handler sees them; imports have their own.
pub const BODY_LIMIT: usize = 1024 * 1024;
pub const UPLOAD_LIMIT: usize = 10 * 1024 * 1024;
