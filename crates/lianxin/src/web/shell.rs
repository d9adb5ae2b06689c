//! The page shell every template extends: language, navigation by role, the congress switcher,
//! the demo banner, large-text mode, the inbox count and the error summary.

use super::AppState;
use super::ctx::Ctx;
use crate::accounts::policy::{Permission, allows};
use crate::congress::{self as congresses, Congress};
use crate::platform::error::{AppError, FieldError};
use crate::platform::i18n::{Lang, T, tr};
use crate::platform::ids::CongressId;

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct SwitchOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

/// An error shown in the summary at the top of a form and next to its field.
#[derive(Debug, Clone)]
pub struct ShownError {
    pub field: String,
    pub message: String,
    /// The summary line: the field's name and the message ("姓名：此项必须填写").
    pub summary: String,
}

#[derive(Debug, Clone)]
pub struct Shell {
    pub t: T,
    pub lang: Lang,
    pub title: String,
    pub csrf: String,
    pub here: String,
    pub demo: bool,
    pub large_text: bool,
    pub user_name: Option<String>,
    pub unread: i64,
    pub nav: Vec<NavItem>,
    pub switcher: Vec<SwitchOption>,
    pub errors: Vec<ShownError>,
    pub session_expired: bool,
}

impl Shell {
    /// A shell without database look-ups (public pages, error pages).
    pub fn bare(
        lang: Lang,
        csrf: &str,
        here: &str,
        demo: bool,
        large_text: bool,
        title: &str,
    ) -> Shell {
        Shell {
            t: T(lang),
            lang,
            title: title.to_string(),
            csrf: csrf.to_string(),
            here: here.to_string(),
            demo,
            large_text,
            user_name: None,
            unread: 0,
            nav: Vec::new(),
            switcher: Vec::new(),
            errors: Vec::new(),
            session_expired: false,
        }
    }

    /// The full shell for a request; `title_key` names the page title message.
    pub async fn new(state: &AppState, ctx: &Ctx, title_key: &str) -> Result<Shell, AppError> {
        let mut s = Shell::bare(
            ctx.lang,
            &ctx.csrf,
            &ctx.here,
            state.demo,
            ctx.large_text,
            tr(ctx.lang, title_key),
        );
        s.session_expired = ctx.session_expired;
        let Some(actor) = &ctx.actor else {
            s.nav = vec![
                NavItem {
                    href: "/".into(),
                    label: tr(ctx.lang, "nav.public_home").into(),
                    active: ctx.here == "/",
                },
                NavItem {
                    href: "/login".into(),
                    label: tr(ctx.lang, "nav.login").into(),
                    active: ctx.here.starts_with("/login"),
                },
            ];
            return Ok(s);
        };
        s.user_name = Some(actor.display_name.clone());
        s.unread = crate::notify::unread_count(&state.db, actor.user).await?;
        let scopes = visible_congresses(state, ctx).await?;
        let current = current_congress(ctx, &scopes);
        s.switcher = scopes
            .iter()
            .map(|c| SwitchOption {
                id: c.id.0,
                name: c.name.clone(),
                selected: Some(c.id) == current.map(|x| x.id),
            })
            .collect();
        let mut nav = vec![("/home".to_string(), "nav.home")];
        if let Some(c) = current {
            let base = format!("/c/{}", c.id);
            let p = state.policy();
            if allows(actor, Permission::ViewRoster, c.target(), p) {
                nav.push((base.clone(), "nav.overview"));
                nav.push((format!("{base}/deputies"), "nav.deputies"));
            }
            if allows(actor, Permission::ViewSuggestions, c.target(), p) {
                nav.push((format!("{base}/suggestions"), "nav.suggestions"));
                if allows(actor, Permission::HandleSuggestions, c.target(), p)
                    || allows(actor, Permission::DraftSuggestions, c.target(), p)
                {
                    nav.push((format!("{base}/motions"), "nav.motions"));
                }
            }
            if allows(actor, Permission::ViewUnits, c.target(), p) {
                nav.push((format!("{base}/units"), "nav.units"));
            }
            if allows(actor, Permission::ManageStations, c.target(), p) {
                nav.push((format!("{base}/stations"), "nav.stations"));
            }
            if allows(actor, Permission::HandleOpinions, c.target(), p) {
                nav.push((format!("{base}/opinions"), "nav.opinions"));
            }
            if allows(actor, Permission::AttendMeetings, c.target(), p) {
                nav.push((format!("{base}/meetings"), "nav.meetings"));
            }
            if allows(actor, Permission::ViewLivelihood, c.target(), p) {
                nav.push((format!("{base}/livelihood"), "nav.livelihood"));
            }
            if allows(actor, Permission::EditRoster, c.target(), p)
                || allows(actor, Permission::EditUnits, c.target(), p)
            {
                nav.push((format!("{base}/import"), "nav.import"));
            }
            if allows(actor, Permission::ViewRoster, c.target(), p)
                || allows(actor, Permission::ManageSettings, c.target(), p)
            {
                nav.push((format!("{base}/settings"), "nav.settings"));
            }
            if allows(actor, Permission::ManageAccounts, c.target(), p)
                || allows(actor, Permission::ManageGrants, c.target(), p)
            {
                nav.push(("/admin/users".to_string(), "nav.accounts"));
            }
            if allows(actor, Permission::RevealPersonal, c.target(), p) {
                nav.push((format!("{base}/privacy"), "nav.privacy"));
            }
            if allows(actor, Permission::ManageSecurity, c.target(), p) {
                nav.push(("/admin/security-policy".to_string(), "nav.security_policy"));
            }
            if allows(actor, Permission::ManageCongresses, c.target(), p) {
                nav.push(("/admin/congresses".to_string(), "nav.congresses"));
            }
            if allows(actor, Permission::ViewAudit, c.target(), p) {
                nav.push(("/audit".to_string(), "nav.audit"));
            }
        }
        nav.push(("/calendar".to_string(), "nav.calendar"));
        nav.push(("/account/security".to_string(), "nav.security"));
        nav.push(("/api/v1/docs".to_string(), "nav.api"));
        // Only the deepest item containing this page is current (/c/1/deputies, not also /c/1).
        let current = nav
            .iter()
            .filter(|(href, _)| contains_page(href, &ctx.here))
            .max_by_key(|(href, _)| href.len())
            .map(|(href, _)| href.clone());
        s.nav = nav
            .into_iter()
            .map(|(href, key)| NavItem {
                active: current.as_deref() == Some(href.as_str()),
                href,
                label: tr(ctx.lang, key).into(),
            })
            .collect();
        Ok(s)
    }

    pub fn with_errors(mut self, errors: &[FieldError]) -> Shell {
        let sep = if self.lang == Lang::Zh { "：" } else { ": " };
        self.errors = errors
            .iter()
            .map(|e| {
                let message = match &e.arg {
                    Some(arg) => crate::platform::i18n::trf(self.lang, e.key, &[("n", arg)]),
                    None => tr(self.lang, e.key).to_string(),
                };
                let label_key = format!("field.{}", e.field);
                let label = tr(self.lang, &label_key);
                let summary = if label == label_key {
                    message.clone()
                } else {
                    format!("{label}{sep}{message}")
                };
                ShownError {
                    field: e.field.to_string(),
                    message,
                    summary,
                }
            })
            .collect();
        if !self.errors.is_empty() {
            self.title = format!("{}{}", tr(self.lang, "form.error_prefix"), self.title);
        }
        self
    }

    /// The message for a field, if it has an error.
    pub fn error_for(&self, field: &str) -> String {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
            .unwrap_or_default()
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// Formats a stored millisecond time for display.
    pub fn time(&self, ms: &i64) -> String {
        crate::platform::clock::format_ms(*ms)
    }

    /// A message with an `{n}` count.
    pub fn f_rows(&self, key: &str, n: &usize) -> String {
        self.t.f(key, "n", n.to_string())
    }

    /// A stored setting value in words: `3m` → 3个月, `5wd` → 5个工作日, a choice → its label.
    pub fn setting_value(&self, v: &str) -> String {
        use crate::settings::registry::Period;
        match Period::decode(v) {
            Some(Period::Months(n)) => self.t.f("settings.unit.months", "n", n.to_string()),
            Some(Period::WorkingDays(n)) => {
                self.t.f("settings.unit.working_days", "n", n.to_string())
            }
            Some(Period::Days(n)) => self.t.f("settings.unit.days", "n", n.to_string()),
            None => self.t.t(format!("settings.choice.{v}")),
        }
    }

    pub fn version(&self) -> &'static str {
        super::assets::VERSION
    }

    pub fn date(&self, iso: &str) -> String {
        match (
            self.lang,
            chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d"),
        ) {
            (Lang::Zh, Ok(d)) => d.format("%Y年%-m月%-d日").to_string(),
            _ => iso.to_string(),
        }
    }
}

/// Whether the page at `here` lies under the navigation target `href`.
fn contains_page(href: &str, here: &str) -> bool {
    here == href || here.starts_with(&format!("{href}/")) || here.starts_with(&format!("{href}?"))
}

/// The congresses the actor may work in: those of their grants, plus (for district staff, when
/// policy allows) the district's towns.
pub async fn visible_congresses(state: &AppState, ctx: &Ctx) -> Result<Vec<Congress>, AppError> {
    let Some(actor) = &ctx.actor else {
        return Ok(Vec::new());
    };
    let granted = actor.congresses();
    let all = congresses::all(&state.db).await?;
    Ok(all
        .into_iter()
        .filter(|c| {
            granted.contains(&c.id)
                || (c.parent.is_some_and(|p| granted.contains(&p))
                    && allows(actor, Permission::ViewRoster, c.target(), state.policy()))
        })
        .collect())
}

/// The congress chosen in the switcher if visible, else the first visible one.
pub fn current_congress<'a>(ctx: &Ctx, scopes: &'a [Congress]) -> Option<&'a Congress> {
    ctx.chosen_congress
        .and_then(|id| scopes.iter().find(|c| c.id == id))
        .or_else(|| scopes.first())
}

/// Loads a congress by its path id (404 when it does not exist).
pub async fn congress(state: &AppState, id: i64) -> Result<Congress, AppError> {
    congresses::get(&state.db, CongressId(id))
        .await?
        .ok_or(AppError::NotFound)
}
