//! 访问频率限制 — rate limits per client address: sign-in attempts and every anonymous request
//! (GB/T 22239-2019 8.1.4.1 b against guessing; 8.1.3.3 against floods of the public pages).
//! In memory per process, by fixed one-minute windows on the injected clock; a deployment with
//! several processes behind a proxy multiplies the limit by their number, which is acceptable
//! for a limit meant to stop scripts, not people.

use std::collections::HashMap;
use std::sync::Mutex;

const WINDOW_MS: i64 = 60_000;
/// Above this many tracked addresses, windows that have ended are dropped.
const SWEEP_ABOVE: usize = 50_000;

/// What a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Password and code submissions.
    SignIn,
    /// Any request without a signed-in user (public pages, public API, public forms).
    Anonymous,
}

#[derive(Debug)]
pub struct Limiter {
    sign_in_per_minute: u32,
    anonymous_per_minute: u32,
    windows: Mutex<HashMap<(String, Class), (i64, u32)>>,
}

impl Limiter {
    pub fn new(sign_in_per_minute: u32, anonymous_per_minute: u32) -> Limiter {
        Limiter {
            sign_in_per_minute,
            anonymous_per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request; `Err(seconds)` when over the limit, with when to try again.
    pub fn check(&self, addr: &str, class: Class, now: i64) -> Result<(), i64> {
        let limit = match class {
            Class::SignIn => self.sign_in_per_minute,
            Class::Anonymous => self.anonymous_per_minute,
        };
        let window = now - now.rem_euclid(WINDOW_MS);
        let Ok(mut map) = self.windows.lock() else {
            // A poisoned lock means a panic elsewhere; fail open rather than lock everyone out.
            return Ok(());
        };
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, (start, _)| *start >= window);
        }
        let entry = map.entry((addr.to_string(), class)).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= limit {
            return Err(((window + WINDOW_MS - now) / 1000).max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_holds_per_address_and_class_and_resets_each_minute() {
        let l = Limiter::new(3, 5);
        let t = 1_000_000 * WINDOW_MS;
        for _ in 0..3 {
            assert!(l.check("a", Class::SignIn, t).is_ok());
        }
        assert_eq!(l.check("a", Class::SignIn, t + 10_000), Err(50));
        assert!(l.check("b", Class::SignIn, t).is_ok(), "another address");
        assert!(l.check("a", Class::Anonymous, t).is_ok(), "another class");
        assert!(
            l.check("a", Class::SignIn, t + WINDOW_MS).is_ok(),
            "next minute"
        );
    }
}
