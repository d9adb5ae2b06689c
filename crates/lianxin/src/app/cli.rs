//! The command line: `lianxin serve | demo | migrate | admin bootstrap | import | export | backup |
//! restore`. Options come from flags, `LIANXIN_*` variables and a TOML file, in that order of
//! precedence (see `platform::config`).

use crate::platform::clock::{Clock, SystemClock};
use crate::platform::config::{self, Config, Layer};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "lianxin",
    version,
    about = "连心 Lianxin — 人大工作平台 / the work platform of a district people's congress and its towns"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes. Precedence: config file < environment < flag.
#[derive(Args, Debug, Default, Clone)]
pub struct Common {
    /// TOML config file [env: LIANXIN_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory: SQLite file, uploads, keys [env: LIANXIN_DATA] [default: ./data]
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// sqlite://… or postgres://… [env: LIANXIN_DATABASE_URL] [default: the SQLite file in the data dir]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Address to serve on [env: LIANXIN_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long, global = true, value_name = "ADDR")]
    pub listen: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Production server: no demo data (the second factor is enforced once the security module lands)
    Serve,
    /// Create (idempotently) and serve the demo district 示范区
    Demo,
    /// Apply database migrations and exit
    Migrate,
    /// Administration
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Import deputies or handling units from XLSX (all rows valid, or nothing is written)
    Import(ImportArgs),
    /// Export deputies or handling units to XLSX
    Export(ExportArgs),
    /// Consistent online copy of the SQLite database
    Backup {
        /// File to write (must not exist)
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// The audit trail
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The key store: field-encryption keys and the congresses' sealing keys
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Recount one vote from its definition and ballots (JSON, see docs/tally.md); `-` reads standard input
    Tally {
        /// The vote's JSON file, or `-`
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Replace the SQLite database with a backup (stop the server first)
    Restore {
        /// Backup file to restore from
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create the three separated administrators (system, security, audit); one-time passwords are shown once
    Bootstrap {
        /// Region code of the district congress (created if missing, with --name)
        #[arg(long, default_value = super::demo::DISTRICT_CODE)]
        region: String,
        /// Name of the district congress, if it must be created
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk every audit chain and report the first broken link (edited or deleted records); exits 1 if any
    Verify,
    /// Sign every chain's current head now (the server does this daily)
    Checkpoint,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Show the key versions and how many sealed values each one holds
    Status,
    /// Add a new field-encryption key and re-seal every personal datum with it
    Rotate,
    /// Start a new version of a congress's SM2 sealing key
    NewSealKey {
        /// Region code of the congress
        #[arg(long)]
        region: String,
    },
}

#[derive(Args)]
pub struct ImportArgs {
    /// deputies or units
    #[arg(long)]
    pub kind: String,
    /// Region code of the congress the list belongs to
    #[arg(long)]
    pub region: String,
    /// The XLSX file
    #[arg(long, value_name = "FILE")]
    pub file: PathBuf,
    /// Only check the file; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    /// deputies or units
    #[arg(long)]
    pub kind: String,
    /// Region code of the congress
    #[arg(long)]
    pub region: String,
    /// File to write
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    /// Column headers in English instead of Chinese
    #[arg(long)]
    pub english: bool,
}

/// Prints a line for the operator (the CLI's own output, not a log).
#[allow(clippy::print_stdout)]
pub fn say(s: &str) {
    println!("{s}");
}

#[allow(clippy::print_stderr)]
fn fail(s: &str) -> ExitCode {
    eprintln!("lianxin: {s}");
    ExitCode::FAILURE
}

impl Common {
    fn layer(&self) -> Layer {
        Layer {
            data: self.data.clone(),
            database_url: self.database_url.clone(),
            listen: self.listen.clone(),
            ..Layer::default()
        }
    }

    /// Resolves the configuration: file (from --config or LIANXIN_CONFIG) < environment < flags.
    pub fn resolve(&self) -> Result<Config, config::ConfigError> {
        let env = |k: &str| std::env::var(k).ok();
        let file_path = self.config.clone().or_else(|| {
            env("LIANXIN_CONFIG")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        let file = match file_path {
            Some(p) => Layer::from_file(&p)?,
            None => Layer::default(),
        };
        config::resolve(file, Layer::from_env(env)?, self.layer())
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Tally { file } = &cli.command {
        return tally(file);
    }
    let config = match cli.common.resolve() {
        Ok(c) => c,
        Err(e) => return fail(&e.to_string()),
    };
    init_tracing(&config);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the runtime: {e}")),
    };
    match rt.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => fail(&format!("{e:#}")),
    }
}

/// `lianxin tally`: the result on standard output, exit 0 for any well-formed vote (a void round
/// or a missing quorum is in the result), 2 with a message on standard error otherwise.
#[allow(clippy::print_stdout, clippy::print_stderr)]
fn tally(file: &std::path::Path) -> ExitCode {
    use std::io::Read;
    let mut text = String::new();
    let read = if file.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    if let Err(e) = read {
        eprintln!(
            "lianxin tally: cannot read {} / 无法读取: {e}",
            file.display()
        );
        return ExitCode::from(2);
    }
    match crate::meetings::recount::recount_json(&text) {
        Ok(out) => match serde_json::to_string_pretty(&out) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
        Err(e) => {
            eprintln!("lianxin tally: {e}");
            ExitCode::from(2)
        }
    }
}

fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("LIANXIN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.json_logs {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    use crate::people::xlsx::{self, ListKind};
    match command {
        Command::Serve => super::server::run(config, false).await?,
        Command::Demo => super::server::run(config, true).await?,
        Command::Migrate => {
            let db = crate::db::Db::connect(&config.database_url, None).await?;
            let applied = crate::db::migrate::run(&db).await?;
            say(&format!(
                "migrations applied: {applied:?} (database {})",
                config::mask_url(&config.database_url)
            ));
        }
        Command::Admin(AdminCommand::Bootstrap { region, name }) => {
            let db = super::server::open(&config).await?;
            let now = SystemClock.now_ms();
            let district = match crate::congress::by_region(&db, &region).await? {
                Some(c) => c,
                None => {
                    let Some(name) = name else {
                        return Ok(fail(&format!(
                            "no congress with region code {region}; pass --name to create it"
                        )));
                    };
                    let mut tx = db.write().await?;
                    let short = name.trim_end_matches("人民代表大会").to_string();
                    let id = crate::congress::create(
                        &mut tx,
                        None,
                        crate::congress::CongressLevel::District,
                        &name,
                        &short,
                        &region,
                        now,
                    )
                    .await?;
                    tx.commit().await?;
                    crate::congress::get(&db, id)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("congress vanished"))?
                }
            };
            let created = crate::accounts::bootstrap::bootstrap(&db, &district, now).await?;
            say(
                "三员 created — the one-time passwords below are shown once; each must be changed at first sign-in:",
            );
            for c in created {
                say(&format!(
                    "  {:<12} {:<16} {}",
                    c.username,
                    c.role.as_str(),
                    c.one_time_password
                ));
            }
        }
        Command::Import(args) => {
            let kind = ListKind::parse(&args.kind)
                .ok_or_else(|| anyhow::anyhow!("--kind must be deputies or units"))?;
            let db = super::server::open(&config).await?;
            let congress = crate::congress::by_region(&db, &args.region)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no congress with region code {}", args.region))?;
            let today = SystemClock
                .now()
                .with_timezone(&crate::platform::clock::shanghai())
                .date_naive()
                .to_string();
            let term = crate::congress::current_term(&db, congress.id, &today)
                .await?
                .ok_or_else(|| anyhow::anyhow!("the congress has no term"))?;
            let bytes = std::fs::read(&args.file)?;
            let origin = crate::platform::origin::Origin {
                user: crate::platform::ids::UserId(0),
                client_addr: None,
                now: SystemClock.now_ms(),
                today: SystemClock.today(),
            };
            let bar =
                indicatif::ProgressBar::new_spinner().with_message("checking rows / 正在检查");
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            let report = xlsx::import(
                &db,
                congress.id,
                term.id,
                kind,
                &bytes,
                !args.dry_run,
                &origin,
            )
            .await?;
            bar.finish_and_clear();
            if report.errors.is_empty() {
                say(&format!(
                    "{} rows valid{}",
                    report.rows,
                    if report.written {
                        "; written / 已导入"
                    } else {
                        "; nothing written (dry run)"
                    }
                ));
            } else {
                for e in &report.errors {
                    say(&format!(
                        "第{}行 row {} [{}]: {} / {}",
                        e.row, e.row, e.field, e.message_zh, e.message_en
                    ));
                }
                return Ok(fail(&format!(
                    "{} problems; nothing was written / 未导入任何数据",
                    report.errors.len()
                )));
            }
        }
        Command::Export(args) => {
            let kind = ListKind::parse(&args.kind)
                .ok_or_else(|| anyhow::anyhow!("--kind must be deputies or units"))?;
            let db = super::server::open(&config).await?;
            let congress = crate::congress::by_region(&db, &args.region)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no congress with region code {}", args.region))?;
            let lang = if args.english {
                crate::platform::i18n::Lang::En
            } else {
                crate::platform::i18n::Lang::Zh
            };
            let bytes = xlsx::export(&db, congress.id, kind, lang).await?;
            std::fs::write(&args.to, bytes)?;
            say(&format!("written {}", args.to.display()));
        }
        Command::Audit(cmd) => {
            let db = super::server::open(&config).await?;
            crate::audit::chain::backfill(&db).await?;
            let key = crate::audit::chain::load_or_create_key(&config.keys_dir())?;
            match cmd {
                AuditCommand::Checkpoint => {
                    let n =
                        crate::audit::chain::checkpoint(&db, &key, SystemClock.now_ms()).await?;
                    say(&format!("signed {n} chain heads / 已签署 {n} 条审计链"));
                }
                AuditCommand::Verify => {
                    let r = crate::audit::chain::verify(&db, &key).await?;
                    say(&format!(
                        "{} chains, {} records, {} checkpoints checked",
                        r.chains, r.records, r.checkpoints
                    ));
                    if r.breaks.is_empty() {
                        say("audit trail intact / 审计记录完整");
                    } else {
                        for b in &r.breaks {
                            say(&format!("BROKEN / 已被篡改: {b:?}"));
                        }
                        return Ok(ExitCode::FAILURE);
                    }
                }
            }
        }
        Command::Keys(cmd) => {
            let db = super::server::open(&config).await?;
            match cmd {
                KeysCommand::Status => {
                    say(&format!(
                        "key store / 密钥库: {} — field key versions {:?}",
                        config.keys_dir().display(),
                        db.vault.versions()
                    ));
                    for (column, per) in crate::db::rekey::census(&db).await? {
                        say(&format!("  {column}: {per:?}"));
                    }
                }
                KeysCommand::Rotate => {
                    let mut vault = crate::platform::vault::Vault::open(&config.keys_dir())?;
                    let version = vault.add_key()?;
                    let db = db.with_vault(vault);
                    let n = crate::db::rekey::reseal_all(&db).await?;
                    say(&format!(
                        "field key v{version} in use; {n} values re-sealed / 已启用 v{version} 密钥，重新加密 {n} 项"
                    ));
                    say(
                        "keep the old key file until no backup needs it / 旧密钥文件请保留至没有备份需要时",
                    );
                }
                KeysCommand::NewSealKey { region } => {
                    let Some(c) = crate::congress::by_region(&db, &region).await? else {
                        return Ok(fail(&format!("no congress with region code {region}")));
                    };
                    let v = crate::congress::sealing::rotate(&db, c.id, SystemClock.now_ms())
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    say(&format!(
                        "{}: sealing key v{v} in use / 签章密钥 v{v} 已启用",
                        c.name
                    ));
                }
            }
        }
        Command::Backup { to } => {
            let db = super::server::open(&config).await?;
            let bar = indicatif::ProgressBar::new_spinner().with_message("backing up / 正在备份");
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            crate::db::backup::backup(&db, &to).await?;
            bar.finish_and_clear();
            say(&format!("backup written and checked: {}", to.display()));
        }
        Command::Restore { from } => {
            let Some(path) = crate::db::sqlite_path(&config.database_url) else {
                return Ok(fail(
                    "restore is for the SQLite database; for PostgreSQL use pg_restore (see README)",
                ));
            };
            crate::db::backup::restore(&from, std::path::Path::new(&path)).await?;
            say(&format!("restored {} from {}", path, from.display()));
        }
        Command::Tally { file } => return Ok(tally(&file)),
    }
    Ok(ExitCode::SUCCESS)
}
