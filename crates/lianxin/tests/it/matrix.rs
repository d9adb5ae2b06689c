//! The authorisation matrix: every route of the application × every kind of user, with the
//! expected allow or deny. A route added without a line here fails `every_route_has_a_decision`.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use std::collections::BTreeSet;

/// Who may use a route (on the demo district, congress 1).
#[derive(Clone, Copy, Debug)]
enum Rule {
    Public,
    SignedIn,
    /// Read the roster (staff of the district, standing-committee members).
    Roster,
    /// Change the roster (deputies' affairs and personnel offices).
    EditRoster,
    /// Read the handling units (staff, unit operators).
    Units,
    /// Change the handling units (general office, deputies' affairs).
    EditUnits,
    /// The import page: whoever may change the roster or the units.
    ImportPage,
    /// Read the rule settings (staff, unit operators, the system administrator).
    SettingsView,
    System,
    Security,
    /// System or security administrator.
    Admins,
    Audit,
    /// The suggestions pages: the deputies' affairs office, deputies, unit staff.
    Suggestions,
    /// A deputy's own steps (draft, consent, submit, withdraw, rate).
    SuggestionDeputy,
    /// The office's steps (review, assign, close).
    SuggestionOffice,
    /// A unit's steps (return, contact, reply).
    SuggestionUnit,
    /// Delivery tracking: the unit reports, the office verifies.
    SuggestionHandlers,
    /// Motions: the office and deputies (units have no part).
    Motions,
    /// Stations' reception days and records: station staff and the deputies' affairs office.
    Stations,
    /// Citizens' opinions: the station side, deputies (theirs), units (forwarded to them).
    Opinions,
    /// Answering on the spot, forwarding, referring: the station side and deputies.
    OpinionRouters,
    /// A unit's return of a forwarded opinion.
    OpinionUnit,
    /// A deputy's conversion of opinions into a suggestion.
    OpinionDeputy,
    /// Meetings as a member: staff, deputies, standing-committee members (the roll decides more).
    MeetingsAttend,
    /// Running meetings and entering counts: the congress's staff.
    MeetingsRun,
    /// The livelihood pages: staff, deputies, standing-committee members, stations, units.
    LivelihoodView,
    /// Proposing a livelihood project: staff, deputies, station staff.
    LivelihoodPropose,
    /// Running a cycle: the congress's staff.
    LivelihoodManage,
    /// Screening proposals into candidates: the government side (a unit) and staff.
    LivelihoodScreen,
    /// An opinion proposed with one click: whoever handles opinions and may propose.
    LivelihoodFromOpinion,
}

const USERS: &[&str] = &[
    "", // anonymous
    "qunzhong",
    "deputy",
    "daibiao",
    "bangong",
    "renshi",
    "qingshi",
    "changwei",
    "chengban",
    "lianluozhan",
    "auditadmin",
    "sysadmin",
    "secadmin",
];

fn allowed(rule: Rule, user: &str) -> bool {
    let signed_in = !user.is_empty();
    match rule {
        Rule::Public => true,
        Rule::SignedIn => signed_in,
        Rule::Roster => matches!(
            user,
            "daibiao" | "bangong" | "renshi" | "changwei" | "lianluozhan"
        ),
        Rule::EditRoster => matches!(user, "daibiao" | "renshi"),
        Rule::Units => matches!(user, "daibiao" | "bangong" | "renshi" | "chengban"),
        Rule::EditUnits => matches!(user, "daibiao" | "bangong"),
        Rule::ImportPage => matches!(user, "daibiao" | "bangong" | "renshi"),
        Rule::SettingsView => matches!(
            user,
            "daibiao" | "bangong" | "renshi" | "changwei" | "chengban" | "sysadmin" | "lianluozhan"
        ),
        Rule::System => user == "sysadmin",
        Rule::Security => user == "secadmin",
        Rule::Admins => matches!(user, "sysadmin" | "secadmin"),
        Rule::Audit => user == "auditadmin",
        Rule::Suggestions => matches!(user, "daibiao" | "deputy" | "chengban"),
        Rule::SuggestionDeputy => user == "deputy",
        Rule::SuggestionOffice => user == "daibiao",
        Rule::SuggestionUnit => user == "chengban",
        Rule::SuggestionHandlers => matches!(user, "daibiao" | "chengban"),
        Rule::Motions => matches!(user, "daibiao" | "deputy"),
        Rule::Stations => matches!(user, "daibiao" | "lianluozhan"),
        Rule::Opinions => matches!(user, "daibiao" | "lianluozhan" | "deputy" | "chengban"),
        Rule::OpinionRouters => matches!(user, "daibiao" | "lianluozhan" | "deputy"),
        Rule::OpinionUnit => user == "chengban",
        Rule::OpinionDeputy => user == "deputy",
        Rule::MeetingsAttend => {
            matches!(
                user,
                "daibiao" | "bangong" | "renshi" | "changwei" | "deputy"
            )
        }
        Rule::MeetingsRun => matches!(user, "daibiao" | "bangong" | "renshi"),
        Rule::LivelihoodView => matches!(
            user,
            "daibiao" | "bangong" | "renshi" | "deputy" | "changwei" | "lianluozhan" | "chengban"
        ),
        Rule::LivelihoodPropose => {
            matches!(
                user,
                "daibiao" | "bangong" | "renshi" | "deputy" | "lianluozhan"
            )
        }
        Rule::LivelihoodManage => matches!(user, "daibiao" | "bangong" | "renshi"),
        Rule::LivelihoodScreen => matches!(user, "daibiao" | "bangong" | "renshi" | "chengban"),
        Rule::LivelihoodFromOpinion => matches!(user, "daibiao" | "deputy" | "lianluozhan"),
    }
}

/// How a request is sent.
#[derive(Clone, Copy)]
enum Body_ {
    None,
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
    Multipart,
}

struct Route {
    method: &'static str,
    /// The route as declared (with `{param}`s).
    pattern: &'static str,
    rule: Rule,
    body: Body_,
}

const DEPUTY_FORM: &[(&str, &str)] = &[
    ("name", ""),
    ("gender", ""),
    ("ethnicity", ""),
    ("id_card", ""),
    ("party", ""),
    ("composition", ""),
    ("occupation", ""),
    ("education", ""),
    ("constituency", ""),
    ("delegation", ""),
    ("station", ""),
];
const DEPUTY_JSON: &str = r#"{"name":"","gender":"","ethnicity":"","party":"","composition":"","occupation":"","education":"","constituency":""}"#;

fn routes() -> Vec<Route> {
    use Body_::*;
    use Rule::*;
    let r = |method, pattern, rule, body| Route {
        method,
        pattern,
        rule,
        body,
    };
    vec![
        r("GET", "/", Public, None),
        r("GET", "/find", Public, None),
        r("GET", "/healthz", Public, None),
        r("GET", "/readyz", Public, None),
        r("GET", "/metrics", Public, None),
        r("GET", "/assets/{version}/site.css", Public, None),
        r("GET", "/assets/{version}/site.js", Public, None),
        r("GET", "/login", Public, None),
        r(
            "POST",
            "/login",
            Public,
            Form(&[("username", ""), ("password", ""), ("next", "")]),
        ),
        r(
            "POST",
            "/prefs",
            Public,
            Form(&[("lang", "zh-CN"), ("next", "/")]),
        ),
        r("GET", "/api/v1/openapi.json", Public, None),
        r("GET", "/api/v1/docs", Public, None),
        r("GET", "/api/v1/congresses", Public, None),
        r("GET", "/api/v1/congresses/{id}", Public, None),
        r(
            "GET",
            "/api/v1/public/congresses/{cid}/deputies",
            Public,
            None,
        ),
        r("GET", "/home", SignedIn, None),
        r("GET", "/inbox", SignedIn, None),
        r("POST", "/inbox/{id}/read", SignedIn, Form(&[])),
        r("GET", "/api/v1/notifications", SignedIn, None),
        r("GET", "/api/v1/me", SignedIn, None),
        r("POST", "/api/v1/tokens", SignedIn, Json(r#"{"name":""}"#)),
        r("GET", "/api/v1/tokens", SignedIn, None),
        r("POST", "/api/v1/tokens/{id}/revoke", SignedIn, Json("{}")),
        r("POST", "/account/tokens/{id}/revoke", SignedIn, Form(&[])),
        r("GET", "/account/password", SignedIn, None),
        r(
            "POST",
            "/account/password",
            SignedIn,
            Form(&[("current", "x"), ("new", "x"), ("confirm", "y")]),
        ),
        r("GET", "/calendar", SignedIn, None),
        r("POST", "/calendar", System, Form(&[("body", "")])),
        r("GET", "/c/{cid}", Roster, None),
        r(
            "POST",
            "/c/{cid}/members",
            EditRoster,
            Form(&[
                ("organization_id", ""),
                ("deputy_id", ""),
                ("post", "x"),
                ("starts_on", ""),
            ]),
        ),
        r(
            "POST",
            "/c/{cid}/members/{id}/end",
            EditRoster,
            Form(&[("ends_on", "not a date")]),
        ),
        r("GET", "/c/{cid}/deputies", Roster, None),
        r("POST", "/c/{cid}/deputies", EditRoster, Form(DEPUTY_FORM)),
        r("GET", "/c/{cid}/deputies/new", EditRoster, None),
        r("GET", "/c/{cid}/deputies/{id}", Roster, None),
        r(
            "POST",
            "/c/{cid}/deputies/{id}",
            EditRoster,
            Form(DEPUTY_FORM),
        ),
        r("GET", "/c/{cid}/deputies/{id}/edit", EditRoster, None),
        r(
            "POST",
            "/c/{cid}/deputies/{id}/status",
            EditRoster,
            Form(&[("status", "x"), ("status_date", ""), ("status_reason", "")]),
        ),
        r("GET", "/c/{cid}/units", Units, None),
        r(
            "POST",
            "/c/{cid}/units",
            EditUnits,
            Form(&[("name", ""), ("organ_kind", "")]),
        ),
        r("GET", "/c/{cid}/units/new", EditUnits, None),
        r("GET", "/c/{cid}/units/{id}/edit", EditUnits, None),
        r(
            "POST",
            "/c/{cid}/units/{id}",
            EditUnits,
            Form(&[("name", ""), ("organ_kind", "")]),
        ),
        r("GET", "/c/{cid}/import", ImportPage, None),
        r("POST", "/c/{cid}/import", EditRoster, Multipart),
        r(
            "POST",
            "/c/{cid}/import/confirm",
            EditRoster,
            Form(&[("token", "x"), ("kind", "deputies")]),
        ),
        r("GET", "/c/{cid}/export/{file}", Roster, None),
        r("GET", "/c/{cid}/template/{file}", EditRoster, None),
        r("GET", "/c/{cid}/settings", SettingsView, None),
        r(
            "POST",
            "/c/{cid}/settings",
            System,
            Form(&[("key", "x"), ("value", ""), ("source_kind", "")]),
        ),
        r(
            "POST",
            "/c/{cid}/settings/preset",
            System,
            Form(&[("preset", "none")]),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/settings",
            SettingsView,
            None,
        ),
        r("GET", "/api/v1/congresses/{cid}/deputies", Roster, None),
        r(
            "POST",
            "/api/v1/congresses/{cid}/deputies",
            EditRoster,
            Json(DEPUTY_JSON),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/deputies/{id}",
            Roster,
            None,
        ),
        r(
            "PUT",
            "/api/v1/congresses/{cid}/deputies/{id}",
            EditRoster,
            Json(DEPUTY_JSON),
        ),
        r("GET", "/api/v1/congresses/{cid}/units", Units, None),
        r(
            "POST",
            "/api/v1/congresses/{cid}/units",
            EditUnits,
            Json(r#"{"name":"","organ_kind":""}"#),
        ),
        r("GET", "/api/v1/congresses/{cid}/members", Roster, None),
        r(
            "POST",
            "/api/v1/congresses/{cid}/members",
            EditRoster,
            Json(r#"{"organization_id":0,"deputy_id":0,"post":"x","starts_on":""}"#),
        ),
        r("GET", "/audit", Audit, None),
        r("GET", "/audit/export.xlsx", Audit, None),
        r("GET", "/admin/users", Admins, None),
        r(
            "POST",
            "/admin/users",
            System,
            Form(&[("username", ""), ("display_name", "")]),
        ),
        r("GET", "/admin/users/new", System, None),
        r("GET", "/admin/users/{id}", Admins, None),
        r(
            "POST",
            "/admin/users/{id}/grants",
            Security,
            Form(&[("congress", "{cid}"), ("role", "x")]),
        ),
        r(
            "POST",
            "/admin/users/{id}/grants/{gid}/revoke",
            Security,
            Form(&[]),
        ),
        r("POST", "/admin/users/{id}/reset", System, Form(&[])),
        r("POST", "/admin/users/{id}/disable", System, Form(&[])),
        r("POST", "/admin/users/{id}/enable", System, Form(&[])),
        r("GET", "/admin/congresses", System, None),
        r(
            "POST",
            "/admin/congresses/towns",
            System,
            Form(&[
                ("district", "{cid}"),
                ("name", ""),
                ("short_name", ""),
                ("region_code", ""),
            ]),
        ),
        r(
            "POST",
            "/admin/congresses/terms",
            System,
            Form(&[
                ("congress", "{cid}"),
                ("number", ""),
                ("starts_on", ""),
                ("ends_on", ""),
            ]),
        ),
        r(
            "POST",
            "/admin/congresses/sessions",
            System,
            Form(&[
                ("term", "{term}"),
                ("number", ""),
                ("opens_on", ""),
                ("closes_on", ""),
            ]),
        ),
        // Last: it ends the session.
        r(
            "POST",
            "/c/{cid}/deputies/{id}/reveal",
            EditRoster,
            Form(&[]),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/deputies/{id}/personal",
            EditRoster,
            None,
        ),
        r("GET", "/c/{cid}/privacy", EditRoster, None),
        r("GET", "/c/{cid}/privacy/new", EditRoster, None),
        r(
            "POST",
            "/c/{cid}/privacy",
            EditRoster,
            Form(&[("kind", "access")]),
        ),
        r("GET", "/c/{cid}/privacy/{id}", EditRoster, None),
        r(
            "POST",
            "/c/{cid}/privacy/{id}/close",
            EditRoster,
            Form(&[("outcome", "answered"), ("answer", "")]),
        ),
        r("POST", "/c/{cid}/privacy/{id}/erase", EditRoster, Form(&[])),
        r("GET", "/c/{cid}/suggestions", Suggestions, None),
        r("GET", "/c/{cid}/suggestions/new", SuggestionDeputy, None),
        r(
            "POST",
            "/c/{cid}/suggestions",
            SuggestionDeputy,
            Form(&[("title", "")]),
        ),
        r("GET", "/c/{cid}/suggestions/{id}", Suggestions, None),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/consent",
            SuggestionDeputy,
            Form(&[("accept", "1")]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/submit",
            SuggestionDeputy,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/withdraw",
            SuggestionDeputy,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/rate",
            SuggestionDeputy,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/review",
            SuggestionOffice,
            Form(&[("decision", "register")]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/assign",
            SuggestionOffice,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/close",
            SuggestionOffice,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/unit-return",
            SuggestionUnit,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/contact",
            SuggestionUnit,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/reply",
            SuggestionUnit,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/delivery",
            SuggestionHandlers,
            Form(&[]),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/suggestions",
            Suggestions,
            None,
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/suggestions",
            SuggestionDeputy,
            Json(r#"{"title":"","content":"","category":""}"#),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/suggestions/{id}",
            Suggestions,
            None,
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/suggestions/{id}/actions",
            SuggestionHandlers,
            Json(r#"{"action":"delivery"}"#),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/extension",
            SuggestionUnit,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/extension-decision",
            SuggestionOffice,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/key",
            SuggestionOffice,
            Form(&[]),
        ),
        r("GET", "/c/{cid}/suggestions/stats", SuggestionOffice, None),
        r(
            "GET",
            "/c/{cid}/suggestions/stats.xlsx",
            SuggestionOffice,
            None,
        ),
        r("GET", "/api/v1/congresses/{cid}/motions", Motions, None),
        r(
            "POST",
            "/api/v1/congresses/{cid}/motions",
            Motions,
            Json(r#"{"title":""}"#),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/motions/{id}",
            Motions,
            None,
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/motions/{id}/actions",
            SuggestionOffice,
            Json(r#"{"action":"report","report":""}"#),
        ),
        r(
            "GET",
            "/c/{cid}/suggestions/{id}/notice.docx",
            SuggestionOffice,
            None,
        ),
        r(
            "GET",
            "/c/{cid}/suggestions/{id}/reply.docx",
            Suggestions,
            None,
        ),
        r(
            "GET",
            "/c/{cid}/suggestions/templates",
            SuggestionOffice,
            None,
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/templates",
            SuggestionOffice,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/opinion",
            SuggestionUnit,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/attachments",
            Suggestions,
            Multipart,
        ),
        r(
            "GET",
            "/c/{cid}/suggestions/{id}/attachments/{aid}",
            Suggestions,
            None,
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/attachments/{aid}/delete",
            Suggestions,
            Form(&[]),
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/suggestions/{id}/attachments",
            Suggestions,
            Multipart,
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/suggestions/{id}/attachments/{aid}",
            Suggestions,
            None,
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/merge",
            SuggestionOffice,
            Form(&[("into", "1")]),
        ),
        r(
            "POST",
            "/c/{cid}/suggestions/{id}/publish",
            SuggestionOffice,
            Form(&[("publish", "true")]),
        ),
        r(
            "GET",
            "/c/{cid}/suggestions/report.docx",
            SuggestionOffice,
            None,
        ),
        r("GET", "/replies/{cid}", Public, None),
        r("GET", "/replies/{cid}/{id}", Public, None),
        r(
            "GET",
            "/api/v1/public/congresses/{cid}/replies",
            Public,
            None,
        ),
        r(
            "POST",
            "/c/{cid}/motions/deadline",
            SuggestionOffice,
            Form(&[("deadline", "")]),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/motions/deadline",
            Motions,
            None,
        ),
        r(
            "PUT",
            "/api/v1/congresses/{cid}/motions/deadline",
            SuggestionOffice,
            Json(r#"{"deadline":""}"#),
        ),
        r("GET", "/c/{cid}/stations", Stations, None),
        r("POST", "/c/{cid}/stations/{id}/days", Stations, Form(&[])),
        r("GET", "/c/{cid}/reception-days/{id}", Stations, None),
        r(
            "POST",
            "/c/{cid}/reception-days/{id}/cancel",
            Stations,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/reception-days/{id}/receptions",
            Stations,
            Form(&[]),
        ),
        r("GET", "/stations/{cid}", Public, None),
        r("GET", "/opinions/{cid}/new", Public, None),
        r("POST", "/opinions/{cid}/new", Public, Form(&[])),
        r("GET", "/track", Public, None),
        r("POST", "/track/rate", Public, Form(&[])),
        r("GET", "/c/{cid}/opinions", Opinions, None),
        r("GET", "/c/{cid}/opinions/new", Stations, None),
        r("POST", "/c/{cid}/opinions/new", Stations, Form(&[])),
        r("GET", "/c/{cid}/opinions/{id}", Opinions, None),
        r("GET", "/c/{cid}/opinions/qr/deputies/{id}", Stations, None),
        r("GET", "/c/{cid}/opinions/qr/stations/{id}", Stations, None),
        r("POST", "/c/{cid}/opinions/{id}/answer", Opinions, Form(&[])),
        r(
            "POST",
            "/c/{cid}/opinions/{id}/route",
            OpinionRouters,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/opinions/{id}/refer",
            OpinionRouters,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/opinions/{id}/return",
            OpinionUnit,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/opinions/{id}/transfer",
            Stations,
            Form(&[]),
        ),
        r("POST", "/c/{cid}/opinions/{id}/split", Stations, Form(&[])),
        r(
            "POST",
            "/c/{cid}/opinions/convert",
            OpinionDeputy,
            Form(&[]),
        ),
        r("GET", "/c/{cid}/opinions/groups", Stations, None),
        r("GET", "/c/{cid}/opinions/groups/{id}", Stations, None),
        r(
            "POST",
            "/c/{cid}/opinions/groups/{id}/merge",
            Stations,
            Form(&[]),
        ),
        r("GET", "/c/{cid}/opinions/insight", Stations, None),
        r(
            "GET",
            "/c/{cid}/opinions/{id}/attachments/{aid}",
            Opinions,
            None,
        ),
        r("POST", "/track/attachments", Public, Multipart),
        r(
            "GET",
            "/api/v1/public/congresses/{cid}/opinion-form",
            Public,
            None,
        ),
        r(
            "POST",
            "/api/v1/public/congresses/{cid}/opinions",
            Public,
            Json("{}"),
        ),
        r("GET", "/api/v1/public/opinions/{code}", Public, None),
        r(
            "POST",
            "/api/v1/public/opinions/{code}/rating",
            Public,
            Json(r#"{"rating":"satisfied"}"#),
        ),
        r("GET", "/api/v1/congresses/{cid}/opinions", Opinions, None),
        r("GET", "/c/{cid}/meetings", MeetingsAttend, None),
        r("POST", "/c/{cid}/meetings", MeetingsRun, Form(&[])),
        r("GET", "/c/{cid}/meetings/{id}", MeetingsAttend, None),
        r(
            "POST",
            "/c/{cid}/meetings/{id}/step",
            MeetingsRun,
            Form(&[]),
        ),
        r("GET", "/c/{cid}/meetings/{id}/screen", MeetingsRun, None),
        r(
            "GET",
            "/c/{cid}/meetings/{id}/minutes.docx",
            MeetingsAttend,
            None,
        ),
        r("GET", "/c/{cid}/votes/{id}", MeetingsAttend, None),
        r("POST", "/c/{cid}/votes/{id}/step", MeetingsRun, Form(&[])),
        r(
            "POST",
            "/c/{cid}/votes/{id}/ballot",
            MeetingsAttend,
            Form(&[]),
        ),
        r(
            "GET",
            "/c/{cid}/votes/{id}/paper-ballot.docx",
            MeetingsRun,
            None,
        ),
        r(
            "POST",
            "/c/{cid}/agenda-items/{id}/documents",
            MeetingsRun,
            Multipart,
        ),
        r(
            "GET",
            "/c/{cid}/agenda-items/{id}/documents/{aid}",
            MeetingsAttend,
            None,
        ),
        r("GET", "/c/{cid}/livelihood", LivelihoodView, None),
        r("POST", "/c/{cid}/livelihood", LivelihoodManage, Form(&[])),
        r("GET", "/c/{cid}/livelihood/{id}", LivelihoodView, None),
        r(
            "POST",
            "/c/{cid}/livelihood/{id}/step",
            LivelihoodManage,
            Form(&[]),
        ),
        r(
            "GET",
            "/c/{cid}/livelihood/projects/{id}",
            LivelihoodView,
            None,
        ),
        r(
            "POST",
            "/c/{cid}/livelihood/projects/{id}/step",
            LivelihoodView,
            Multipart,
        ),
        r(
            "POST",
            "/c/{cid}/livelihood/from-opinion/{id}",
            LivelihoodFromOpinion,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/livelihood/from-suggestion/{id}",
            SuggestionOffice,
            Form(&[]),
        ),
        r("GET", "/livelihood/{cid}", Public, None),
        r("GET", "/livelihood/{cid}/propose", Public, None),
        r("POST", "/livelihood/{cid}/propose", Public, Form(&[])),
        r("GET", "/livelihood/{cid}/projects/{id}", Public, None),
        r("GET", "/livelihood/{cid}/open-data.json", Public, None),
        r("GET", "/livelihood/{cid}/open-data.xlsx", Public, None),
        r(
            "GET",
            "/livelihood/{cid}/files/{report}/{aid}",
            Public,
            None,
        ),
        r(
            "GET",
            "/api/v1/public/congresses/{cid}/livelihood",
            Public,
            None,
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/livelihood/cycles",
            LivelihoodView,
            None,
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/livelihood/cycles",
            LivelihoodManage,
            Json(r#"{"year":0,"places":0,"phases":[]}"#),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/livelihood/cycles/{id}",
            LivelihoodView,
            None,
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/livelihood/cycles/{id}/proposals",
            LivelihoodPropose,
            Json(r#"{"title":""}"#),
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/livelihood/cycles/{id}/candidates",
            LivelihoodScreen,
            Json(r#"{"title":""}"#),
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/livelihood/cycles/{id}/actions",
            LivelihoodManage,
            Json(r#"{"action":"review_opinion","opinion":""}"#),
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/livelihood/proposals/{id}/actions",
            LivelihoodScreen,
            Json(r#"{"action":"reject","reason":""}"#),
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/livelihood/opinions/{id}/propose",
            LivelihoodFromOpinion,
            Json("{}"),
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/livelihood/suggestions/{id}/propose",
            SuggestionOffice,
            Json("{}"),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/livelihood/projects/{id}",
            LivelihoodView,
            None,
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/livelihood/projects/{id}/actions",
            LivelihoodView,
            Json(r#"{"action":"close_problem","problem":0}"#),
        ),
        r("GET", "/results/{cid}", Public, None),
        r(
            "GET",
            "/api/v1/public/congresses/{cid}/results",
            Public,
            None,
        ),
        r("GET", "/board/{cid}/{id}", MeetingsAttend, None),
        r("GET", "/board/{cid}/{id}/events", MeetingsAttend, None),
        r(
            "GET",
            "/api/v1/congresses/{cid}/meetings",
            MeetingsAttend,
            None,
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/meetings",
            MeetingsRun,
            Json(r#"{"kind":"standing_committee","title":"","place":"","starts_at":0}"#),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/meetings/{id}",
            MeetingsAttend,
            None,
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/meetings/{id}/actions",
            MeetingsRun,
            Json(r#"{"action":"open"}"#),
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/meetings/{id}/votes",
            MeetingsRun,
            Json(r#"{"item":0,"subject":""}"#),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/votes/{id}",
            MeetingsAttend,
            None,
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/votes/{id}/actions",
            MeetingsRun,
            Json(r#"{"action":"close"}"#),
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/votes/{id}/ballot",
            MeetingsAttend,
            Json(r#"{"ballot":"yes"}"#),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/opinions/{id}",
            Opinions,
            None,
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/opinions/{id}/actions",
            Opinions,
            Json(r#"{"action":"answer","answer":""}"#),
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/opinions/convert",
            OpinionDeputy,
            Json(r#"{"ids":[]}"#),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/opinions/groups",
            Stations,
            None,
        ),
        r(
            "POST",
            "/api/v1/congresses/{cid}/opinions/groups/{id}/merge",
            Stations,
            Json(r#"{"primary":0}"#),
        ),
        r(
            "GET",
            "/api/v1/congresses/{cid}/opinions/insight",
            Stations,
            None,
        ),
        r(
            "GET",
            "/api/v1/public/congresses/{cid}/reception-days",
            Public,
            None,
        ),
        r("GET", "/c/{cid}/motions", Motions, None),
        r("GET", "/c/{cid}/motions/new", Motions, None),
        r("POST", "/c/{cid}/motions", Motions, Form(&[("title", "")])),
        r("GET", "/c/{cid}/motions/{id}", Motions, None),
        r(
            "POST",
            "/c/{cid}/motions/{id}/consent",
            SuggestionDeputy,
            Form(&[]),
        ),
        r("POST", "/c/{cid}/motions/{id}/file", Motions, Form(&[])),
        r(
            "POST",
            "/c/{cid}/motions/{id}/decide",
            SuggestionOffice,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/motions/{id}/report",
            SuggestionOffice,
            Form(&[]),
        ),
        r(
            "POST",
            "/c/{cid}/motions/{id}/convert",
            SuggestionDeputy,
            Form(&[]),
        ),
        r("GET", "/login/second-factor", SignedIn, None),
        r(
            "POST",
            "/login/second-factor",
            SignedIn,
            Form(&[("code", "000000")]),
        ),
        r("GET", "/account/security", SignedIn, None),
        r("GET", "/account/second-factor", SignedIn, None),
        r(
            "POST",
            "/account/second-factor",
            SignedIn,
            Form(&[("code", "000000")]),
        ),
        r(
            "POST",
            "/account/second-factor/recovery-codes",
            SignedIn,
            Form(&[("code", "000000")]),
        ),
        r("GET", "/admin/security-policy", Security, None),
        r("POST", "/admin/security-policy", Security, Form(&[])),
        r("POST", "/admin/users/{id}/unlock", Security, Form(&[])),
        r(
            "POST",
            "/admin/users/{id}/tokens/revoke",
            Security,
            Form(&[]),
        ),
        r(
            "POST",
            "/admin/users/{id}/second-factor/reset",
            Security,
            Form(&[]),
        ),
        // These two end the session: last, so the routes above run signed in.
        r("POST", "/account/sessions/end-all", SignedIn, Form(&[])),
        r("POST", "/logout", Public, Form(&[])),
    ]
}

/// The routes declared in the source, as (method, pattern).
fn declared_routes() -> BTreeSet<(String, String)> {
    let nested = [
        "accounts/api.rs",
        "congress/api.rs",
        "people/api.rs",
        "suggestions/api.rs",
        "suggestions/motions/api.rs",
        "stations/api.rs",
        "opinions/api.rs",
        "meetings/api.rs",
        "livelihood/api.rs",
        "app/openapi.rs",
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeSet::new();
    {
        for (rel, text) in crate::support::rust_sources(&root) {
            let mut rest = text.as_str();
            while let Some(i) = rest.find(".route(") {
                rest = &rest[i + ".route(".len()..];
                let Some(q) = rest.find('"') else { break };
                let path: String = rest[q + 1..].chars().take_while(|c| *c != '"').collect();
                // The call's text up to its closing parenthesis.
                let mut depth = 1;
                let mut end = 0;
                for (k, c) in rest.char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                end = k;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let call = &rest[..end];
                let full = if nested.contains(&rel.as_str()) {
                    format!("/api/v1{path}")
                } else {
                    path
                };
                for m in ["get", "post", "put", "delete", "patch"] {
                    if call.contains(&format!("{m}(")) {
                        out.insert((m.to_uppercase(), full.clone()));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_route_has_a_decision() {
    let table: BTreeSet<(String, String)> = routes()
        .iter()
        .map(|r| (r.method.to_string(), r.pattern.to_string()))
        .collect();
    let declared = declared_routes();
    let missing: Vec<_> = declared.difference(&table).collect();
    let stale: Vec<_> = table.difference(&declared).collect();
    assert!(
        missing.is_empty(),
        "routes without an authorisation decision in tests/it/matrix.rs: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix lines for routes that no longer exist: {stale:?}"
    );
    assert!(
        declared.len() >= 70,
        "the scan found the routes ({})",
        declared.len()
    );
}

#[tokio::test]
async fn every_route_allows_exactly_whom_it_should() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let one = |sql: &str| {
        let sql = sql.to_string();
        let pool = app.state.db.pool.clone();
        async move {
            let (v,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_one(&pool)
                .await
                .unwrap();
            v.to_string()
        }
    };
    let deputy = one(&format!(
        "SELECT MIN(id) FROM deputies WHERE congress_id = {cid}"
    ))
    .await;
    let unit = one(&format!(
        "SELECT MIN(id) FROM organizations WHERE congress_id = {cid} AND kind = 'handling_unit'"
    ))
    .await;
    let membership = one(&format!("SELECT MIN(m.id) FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE o.kind = 'standing_committee' AND m.congress_id = {cid}")).await;
    let target_user = one("SELECT id FROM users WHERE username = 'nirenming'").await;
    let target_grant = one("SELECT g.id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'nirenming'").await;
    let term = one(&format!(
        "SELECT MIN(id) FROM terms WHERE congress_id = {cid}"
    ))
    .await;
    let notice = one("SELECT MIN(id) FROM notifications").await;
    let fill = |pattern: &str| -> String {
        let mut p = pattern
            .replace("{cid}", &cid.to_string())
            .replace("{version}", env!("CARGO_PKG_VERSION"))
            .replace("{file}", "deputies.xlsx")
            .replace("{term}", &term)
            .replace("{aid}", "999999")
            .replace("{code}", "ZZZZZ-ZZZZZ");
        p = if p.starts_with("/admin/users/") {
            p.replace("{id}", &target_user)
                .replace("{gid}", &target_grant)
        } else if p.contains("/units/") {
            p.replace("{id}", &unit)
        } else if p.contains("/members/") {
            p.replace("{id}", &membership)
        } else if p.starts_with("/board/") {
            // An event stream of a real meeting never ends: probe the guard on a missing one.
            p.replace("{id}", "999999")
        } else if p.starts_with("/inbox/") {
            p.replace("{id}", &notice)
        } else if p.starts_with("/api/v1/congresses/{id}") {
            p.replace("{id}", &cid.to_string())
        } else {
            p.replace("{id}", &deputy)
        };
        p
    };
    let mut failures = Vec::new();
    for user in USERS {
        let mut c = if user.is_empty() {
            app.client()
        } else {
            app.login(user).await
        };
        if user.is_empty() {
            c.get("/login").await; // a CSRF cookie, as a browser would have
        }
        for route in routes() {
            let path = fill(route.pattern);
            let csrf = c.csrf();
            let builder = Request::builder().method(route.method).uri(&path);
            let req = match route.body {
                Body_::None => builder.body(Body::empty()).unwrap(),
                Body_::Form(fields) => {
                    let mut all: Vec<(String, String)> = fields
                        .iter()
                        .map(|(k, v)| (k.to_string(), fill(v)))
                        .collect();
                    all.push(("_csrf".into(), csrf.clone()));
                    builder
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::from(serde_urlencoded::to_string(all).unwrap()))
                        .unwrap()
                }
                Body_::Json(json) => builder
                    .header(header::CONTENT_TYPE, "application/json")
                    .header("x-csrf-token", &csrf)
                    .body(Body::from(json))
                    .unwrap(),
                Body_::Multipart => {
                    let b = "----m";
                    let body = format!(
                        "--{b}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ndeputies\r\n--{b}--\r\n"
                    );
                    builder
                        .uri(format!("{path}?_csrf={csrf}"))
                        .header(
                            header::CONTENT_TYPE,
                            format!("multipart/form-data; boundary={b}"),
                        )
                        .body(Body::from(body))
                        .unwrap()
                }
            };
            let r = c.send(req).await;
            let to_login = r.status == StatusCode::SEE_OTHER && r.location().starts_with("/login");
            let denied = r.status == StatusCode::FORBIDDEN
                || r.status == StatusCode::UNAUTHORIZED
                || to_login;
            let expected_allowed = allowed(route.rule, user);
            if expected_allowed == denied || r.status.is_server_error() {
                failures.push(format!(
                    "{} {} as {:?}: {} (expected {})",
                    route.method,
                    path,
                    user,
                    r.status,
                    if expected_allowed {
                        "allowed"
                    } else {
                        "denied"
                    }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
