//! The second factor in the browser: the code step of sign-in, enrolment with a QR code and
//! recovery codes, one's own security page (sign out everywhere), and the security
//! administrator's pages (policy, unlock, second-factor reset).

use super::roles::SessionStage;
use super::second_factor::{self as sf, Algorithm};
use super::security_pages::security_view;
use super::store;
use crate::audit::{self, Outcome, Record};
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::ids::UserId;
use crate::web::AppState;
use crate::web::ctx::{self, Ctx, safe_next, set_cookie};
use crate::web::extract::{Form, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

const SECRET_CONTEXT: &str = "users.otp_secret_sealed";
const RECOVERY_CONTEXT: &str = "recovery_codes";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/second-factor", get(code_page).post(check_code))
        .route(
            "/account/second-factor",
            get(enrol_page).post(confirm_enrolment),
        )
        .route(
            "/account/second-factor/recovery-codes",
            post(new_recovery_codes),
        )
        .merge(super::security_pages::routes())
}

/// The stage a session starts at once the password is right: the code is owed if the user has
/// enrolled; enrolment is owed if a role requires it (under `serve`, not under `demo`).
pub async fn stage_after_password(state: &AppState, user: UserId) -> AppResult<SessionStage> {
    let otp = store::otp_state(&state.db, user).await?;
    if otp.is_some_and(|o| o.otp_enabled_at.is_some()) {
        return Ok(SessionStage::SecondFactor);
    }
    if state.demo {
        return Ok(SessionStage::Full);
    }
    let grants = store::grants_of(&state.db, user).await?;
    Ok(if grants.iter().any(|g| g.role.needs_second_factor()) {
        SessionStage::Enrol
    } else {
        SessionStage::Full
    })
}

pub use super::second_factor::{allowed_while_pending, next_step};

/// Checks a code against the user's stored secret, which is opened only here and cleared from
/// memory after use. The step that matched (later than `after_step`), or `None`: no secret, a
/// wrong code, or a replayed one.
fn stored_code_step(
    state: &AppState,
    otp: &store::OtpState,
    code: &str,
    now: i64,
    after_step: i64,
) -> AppResult<Option<i64>> {
    let (Some(sealed), Some(alg)) = (&otp.otp_secret_sealed, otp.otp_algorithm.as_deref()) else {
        return Ok(None);
    };
    let hex_secret = zeroize::Zeroizing::new(
        state
            .db
            .vault
            .open_sealed(SECRET_CONTEXT, sealed)
            .map_err(AppError::internal)?,
    );
    let secret =
        zeroize::Zeroizing::new(hex::decode(hex_secret.as_str()).map_err(AppError::internal)?);
    let alg = Algorithm::parse(alg).unwrap_or(Algorithm::Totp);
    Ok(sf::verify(alg, &secret, code, now, after_step))
}

pub(super) fn html(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

/// An audit record of an account action on the account `target` (`user:{target}`).
pub(super) fn record<'a>(
    ctx: &Ctx,
    now: i64,
    user: UserId,
    action: &'a str,
    target: i64,
    outcome: Outcome,
    fields: &'a [&'a str],
) -> Record<'a> {
    // The account acting may not be signed in fully yet (the code step): its id comes apart.
    let o = crate::platform::origin::Origin {
        user,
        client_addr: ctx.client_addr.clone(),
        now,
        today: crate::platform::clock::china_date(now),
    };
    Record::by(&o, None, action, format!("user:{target}"), fields).outcome(outcome)
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/templates/second_factor_code.html")]
struct CodePage {
    shell: Shell,
    next: String,
}

async fn code_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    if actor.pending != Some(SessionStage::SecondFactor) {
        return Ok(Redirect::to("/home").into_response());
    }
    let shell = Shell::new(&state, &ctx, "second_factor.code_title").await?;
    html(
        StatusCode::OK,
        CodePage {
            shell,
            next: q.next.unwrap_or_default(),
        },
    )
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
    #[serde(default)]
    next: String,
}

/// The code step of sign-in: a current one-time code, or an unused recovery code. A wrong code
/// counts as a failed sign-in (the same lockout as a wrong password).
async fn check_code(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let actor = ctx.actor()?.clone();
    let token = ctx.session_token.clone().ok_or(AppError::Unauthenticated)?;
    if actor.pending != Some(SessionStage::SecondFactor) {
        return Ok(Redirect::to("/home").into_response());
    }
    let now = state.clock.now_ms();
    let policy = store::policy(&state.db).await?;
    let otp = store::otp_state(&state.db, actor.user)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let passed = if otp.otp_secret_sealed.is_none() {
        false
    } else {
        match stored_code_step(&state, &otp, &f.code, now, otp.otp_last_step)? {
            Some(step) => store::use_step(&state.db, actor.user, step).await?,
            None => {
                let digest = state
                    .db
                    .vault
                    .digest(RECOVERY_CONTEXT, &sf::normalize_recovery_code(&f.code))
                    .map_err(AppError::internal)?;
                f.code.trim().len() >= 8
                    && store::use_recovery_code(&state.db, actor.user, &digest, now).await?
            }
        }
    };
    if !passed {
        let row = store::find_user(&state.db, &actor.username).await?;
        let failures = row.as_ref().map_or(0, |u| u.failed_logins) + 1;
        let lock = (failures >= policy.lockout_threshold).then_some(now + policy.lock_ms());
        store::record_login_failure(&state.db, actor.user.0, lock).await?;
        audit::append_alone(
            &state.db,
            &record(
                &ctx,
                now,
                actor.user,
                "accounts.second_factor",
                actor.user.0,
                Outcome::Failed,
                &[],
            ),
        )
        .await?;
        if lock.is_some() {
            // Locked: this half-signed-in session ends; the login page tells for how long.
            store::end_session(&state.db, &token).await?;
            let mut resp = Redirect::to("/login").into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    ctx::SESSION_COOKIE,
                    "",
                    Some(0),
                    ctx::cookies_secure(&state, &headers),
                ),
            );
            return Ok(resp);
        }
        let shell = Shell::new(&state, &ctx, "second_factor.code_title")
            .await?
            .with_errors(&[FieldError::new(Field("code"), "second_factor.wrong_code")]);
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            CodePage {
                shell,
                next: f.next,
            },
        );
    }
    let mut tx = state.db.write().await?;
    let new_token = store::advance_session(&mut tx, &token, SessionStage::Full).await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            actor.user,
            "accounts.second_factor",
            actor.user.0,
            Outcome::Success,
            &[],
        ),
    )
    .await?;
    tx.commit().await?;
    let next = safe_next(if f.next.is_empty() { "/home" } else { &f.next });
    let mut resp = Redirect::to(next).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            ctx::SESSION_COOKIE,
            &new_token,
            None,
            ctx::cookies_secure(&state, &headers),
        ),
    );
    resp.headers_mut()
        .append(header::SET_COOKIE, ctx::fresh_csrf_cookie(&state, &headers));
    Ok(resp)
}

#[derive(Template)]
#[template(path = "accounts/templates/second_factor_enrol.html")]
struct EnrolPage {
    shell: Shell,
    qr_svg: String,
    manual_key: String,
    algorithm: &'static str,
    next: String,
    /// Set once enrolment succeeded: the recovery codes, shown this once only.
    recovery_codes: Vec<String>,
    already_enrolled: bool,
}

/// Enrolment: a new secret is sealed and stored as pending, shown as a QR code and as text for
/// manual entry; it takes effect only when a code from it is confirmed.
async fn enrol_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let otp = store::otp_state(&state.db, actor.user).await?;
    let shell = Shell::new(&state, &ctx, "second_factor.enrol_title").await?;
    if otp.as_ref().is_some_and(|o| o.otp_enabled_at.is_some()) {
        return html(
            StatusCode::OK,
            EnrolPage {
                shell,
                qr_svg: String::new(),
                manual_key: String::new(),
                algorithm: "",
                next: String::new(),
                recovery_codes: Vec::new(),
                already_enrolled: true,
            },
        );
    }
    let policy = store::policy(&state.db).await?;
    // A GET shows the secret awaiting confirmation; only when there is none is one made, so a
    // reload, a prefetch or a link preview does not replace the secret already scanned.
    let pending = otp
        .as_ref()
        .filter(|o| o.otp_algorithm.as_deref() == Some(policy.otp_algorithm.as_str()))
        .and_then(|o| o.otp_secret_sealed.as_deref())
        .and_then(|sealed| state.db.vault.open_sealed(SECRET_CONTEXT, sealed).ok())
        .and_then(|h| hex::decode(h).ok())
        .and_then(|b| <[u8; 20]>::try_from(b.as_slice()).ok());
    let secret = match pending {
        Some(s) => zeroize::Zeroizing::new(s),
        None => {
            let secret = zeroize::Zeroizing::new(sf::new_secret());
            let sealed = state
                .db
                .vault
                .seal(SECRET_CONTEXT, &hex::encode(*secret))
                .map_err(AppError::internal)?;
            store::set_pending_otp(
                &state.db,
                actor.user,
                &sealed,
                policy.otp_algorithm.as_str(),
            )
            .await?;
            secret
        }
    };
    let uri = sf::enrolment_uri(
        policy.otp_algorithm,
        "连心 Lianxin",
        &actor.username,
        &*secret,
    );
    let svg = sf::qr_svg(&uri).unwrap_or_default();
    let qr_svg = svg
        .find("<svg")
        .map(|i| svg[i..].to_string())
        .unwrap_or_default();
    let key = sf::base32(&*secret);
    let manual_key = key
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    html(
        StatusCode::OK,
        EnrolPage {
            shell,
            qr_svg,
            manual_key,
            algorithm: policy.otp_algorithm.as_str(),
            next: q.next.unwrap_or_default(),
            recovery_codes: Vec::new(),
            already_enrolled: false,
        },
    )
}

/// Confirms enrolment with a code from the new secret; issues recovery codes (stored as keyed
/// digests) and, when enrolment was the step owed at sign-in, completes the sign-in.
async fn confirm_enrolment(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let actor = ctx.actor()?.clone();
    let now = state.clock.now_ms();
    let otp = store::otp_state(&state.db, actor.user)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if otp.otp_enabled_at.is_some() {
        return Ok(Redirect::to("/account/security").into_response());
    }
    // The pending secret: no step used yet.
    let step = stored_code_step(&state, &otp, &f.code, now, 0)?;
    let Some(step) = step else {
        // The same secret stays pending, so the QR code the user scanned remains valid.
        let shell = Shell::new(&state, &ctx, "second_factor.enrol_title")
            .await?
            .with_errors(&[FieldError::new(Field("code"), "second_factor.wrong_code")]);
        let page = EnrolPage {
            shell,
            qr_svg: String::new(),
            manual_key: String::new(),
            algorithm: "",
            next: f.next,
            recovery_codes: Vec::new(),
            already_enrolled: false,
        };
        return html(StatusCode::UNPROCESSABLE_ENTITY, page);
    };
    let codes = sf::new_recovery_codes();
    let digests = codes
        .iter()
        .map(|c| state.db.vault.digest(RECOVERY_CONTEXT, c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(AppError::internal)?;
    let mut tx = state.db.write().await?;
    store::enable_otp(&mut tx, actor.user, step, &digests, now).await?;
    let new_token = match (&ctx.session_token, actor.pending) {
        (Some(t), Some(SessionStage::Enrol)) => {
            Some(store::advance_session(&mut tx, t, SessionStage::Full).await?)
        }
        _ => None,
    };
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            actor.user,
            "accounts.second_factor_enrol",
            actor.user.0,
            Outcome::Success,
            &["otp_secret", "recovery_codes"],
        ),
    )
    .await?;
    tx.commit().await?;
    let shell = Shell::new(&state, &ctx, "second_factor.enrol_title").await?;
    let page = EnrolPage {
        shell,
        qr_svg: String::new(),
        manual_key: String::new(),
        algorithm: "",
        next: safe_next(if f.next.is_empty() { "/home" } else { &f.next }).to_string(),
        recovery_codes: codes,
        already_enrolled: false,
    };
    let mut resp = html(StatusCode::OK, page)?;
    if let Some(t) = new_token {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                ctx::SESSION_COOKIE,
                &t,
                None,
                ctx::cookies_secure(&state, &headers),
            ),
        );
    }
    Ok(resp)
}

/// New recovery codes (the old ones stop working); a current one-time code is required.
async fn new_recovery_codes(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let actor = ctx.actor()?.clone();
    let now = state.clock.now_ms();
    let otp = store::otp_state(&state.db, actor.user)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let step = if otp.otp_enabled_at.is_some() {
        stored_code_step(&state, &otp, &f.code, now, otp.otp_last_step)?
    } else {
        None
    };
    let Some(step) = step else {
        return security_view(
            &state,
            &ctx,
            &[FieldError::new(Field("code"), "second_factor.wrong_code")],
            Vec::new(),
        )
        .await;
    };
    if !store::use_step(&state.db, actor.user, step).await? {
        return security_view(
            &state,
            &ctx,
            &[FieldError::new(Field("code"), "second_factor.wrong_code")],
            Vec::new(),
        )
        .await;
    }
    let codes = sf::new_recovery_codes();
    let digests = codes
        .iter()
        .map(|c| state.db.vault.digest(RECOVERY_CONTEXT, c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(AppError::internal)?;
    let mut tx = state.db.write().await?;
    store::enable_otp(&mut tx, actor.user, step, &digests, now).await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            actor.user,
            "accounts.recovery_codes",
            actor.user.0,
            Outcome::Success,
            &["recovery_codes"],
        ),
    )
    .await?;
    tx.commit().await?;
    security_view(&state, &ctx, &[], codes).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_sessions_reach_only_their_step() {
        use SessionStage::*;
        assert!(allowed_while_pending(SecondFactor, "/login/second-factor"));
        assert!(!allowed_while_pending(SecondFactor, "/home"));
        assert!(!allowed_while_pending(
            SecondFactor,
            "/account/second-factor"
        ));
        assert!(allowed_while_pending(Enrol, "/account/second-factor"));
        assert!(!allowed_while_pending(Enrol, "/api/v1/me"));
        assert!(allowed_while_pending(Enrol, "/logout"));
        assert_eq!(
            next_step(SecondFactor, "/c/1/deputies?q=王"),
            "/login/second-factor?next=%2Fc%2F1%2Fdeputies%3Fq%3D%E7%8E%8B"
        );
        assert_eq!(next_step(Full, "/home"), "/home");
    }
}
