//! `xvb`: the headless XVB Companion — listener, history, contacts and a PBX simulator.

mod popup;
mod relay;
mod sim;

use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use xvb_core::config::{DataDir, KEYS};
use xvb_core::contacts::{self, Contact};
use xvb_core::dialer::{dial_with_account_token, DialError};
use xvb_core::engine::Engine;
use xvb_core::g722::{self, Bitrate};
use xvb_core::notifier::{Notice, Notifier};
use xvb_core::phone::DialNumber;
use xvb_core::recordings::{self, Fetcher, Limits, Login, RecordingError};
use xvb_core::secret::{Secret, SecretKind, TokenError, TokenStore, TOKEN_ENV};
use xvb_core::store::{Database, HistoryQuery};
use xvb_core::tunnel::{self, TunnelStatus, TunnelTarget};
use xvb_core::CoreError;

/// What can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// From the engine.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A file given on the command line.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Cannot bind the listen address.
    #[error("cannot listen on {addr}: {source}; is another xvb already running there? change it with `xvb config set listen IP:PORT`")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// Dialing failed.
    #[error(transparent)]
    Dial(#[from] DialError),
    /// A recording could not be fetched.
    #[error(transparent)]
    Recording(#[from] RecordingError),
    /// The token could not be stored or read.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A command that found something wrong and said so.
    #[error("{0}")]
    Failed(String),
}

#[derive(Parser)]
#[command(
    name = "xvb",
    version,
    about = "XVB Companion, headless: webhook listener, call history, contacts, PBX simulator"
)]
struct Cli {
    /// Data directory (config.toml, database). Default: the OS data dir for xvb-companion.
    #[arg(long, global = true, env = "XVB_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show or change settings.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the URL to paste into the PBX's "WebHook URL" setting.
    WebhookUrl,
    /// Run the webhook listener and print one line per notification decision.
    Serve {
        /// Listen on this address instead of the configured one.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Take the team's events from a relay instead of listening (the join code
        /// the admin gave; or set XVB_RELAY, which `ps` does not show).
        #[arg(long, value_name = "JOIN_CODE")]
        relay: Option<String>,
        /// Also show decisions as desktop notifications.
        #[arg(long)]
        notify: bool,
    },
    /// List calls, newest first.
    History {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Only numbers containing these digits (a whole number matches in any spelling).
        #[arg(long, value_name = "P")]
        phone: Option<String>,
        /// Only this status (Success, Missed, Ringing, …; `missed` matches every unanswered call).
        #[arg(long, value_name = "S")]
        status: Option<String>,
        /// At most N calls.
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: usize,
    },
    /// Every request as received, oldest first (for support).
    Journal {
        /// Only entries after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// At most N entries.
        #[arg(long, default_value_t = 1000)]
        limit: usize,
    },
    /// The contact book the PBX asks with `cmd=contact`.
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Ask the PBX to call NUMBER from your phone (`makeCall`).
    Call {
        /// The client's number, as pasted (`+7 (920) 111-96-13`, `tel:…`).
        number: String,
        /// Place the call through a team relay (which dials from your own extension).
        #[arg(long, value_name = "JOIN_CODE", conflicts_with = "from")]
        relay: Option<String>,
        /// Call from this extension instead of yours.
        #[arg(long, value_name = "EXT")]
        from: Option<String>,
    },
    /// Call recordings, fetched from the PBX's host and cached.
    #[command(subcommand)]
    Recording(RecordingCommand),
    /// Decode a raw G.722 recording to a 16 kHz mono WAV file.
    DecodeG722 {
        /// The raw G.722 file (as the PBX's record link serves it).
        input: PathBuf,
        /// The WAV file to write.
        output: PathBuf,
        /// Bit rate of the stream: 64, 56 or 48 kbit/s.
        #[arg(long, default_value_t = 64)]
        bits: u32,
    },
    /// The PBX token (or, with --recordings, the recordings password), kept only in the OS keyring.
    Token(TokenArgs),
    /// Send requests exactly as the PBX does, or act as a PBX (admins: check the set-up; tests).
    Sim(sim::SimArgs),
    /// The team relay: one webhook URL for the PBX, agents connect out to it.
    #[command(subcommand)]
    Relay(relay::RelayCommand),
}

#[derive(Subcommand)]
enum RecordingCommand {
    /// Download a call's recording into the cache (resumes a partial one).
    Fetch {
        /// The call id (from `xvb history`).
        callid: String,
    },
    /// Fetch (or take from the cache) and write a call's recording as WAV.
    Export {
        /// The call id.
        callid: String,
        /// The WAV file to write.
        output: PathBuf,
    },
}

#[derive(clap::Args)]
struct TokenArgs {
    /// The password of the PBX's recording downloads (login: `recordings_user`) instead of the token.
    #[arg(long, global = true, conflicts_with = "tunnel")]
    recordings: bool,
    /// The secret of the bore server the tunnel goes through (`tunnel_server`) instead of the token.
    #[arg(long, global = true)]
    tunnel: bool,
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Store the token: from standard input when piped, else asked without echo.
    Set,
    /// Say whether a token is stored (never prints it).
    Status,
    /// Remove the stored token.
    Clear,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Set KEY to VALUE (an empty VALUE clears an optional key).
    Set {
        /// One of the keys listed by `xvb config show`.
        key: String,
        /// The new value.
        value: String,
    },
    /// Print the settings.
    Show,
}

#[derive(Subcommand)]
enum ContactsCommand {
    /// Import a CSV (name,phone,responsible,crm_url) or vCard file.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// List contacts.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a contact (or update the one that has its number).
    Add(AddContact),
    /// Remove a contact by one of its numbers, or by `#ID`.
    Remove {
        /// A phone number or `#ID` from `contacts list`.
        number_or_id: String,
    },
}

#[derive(Args)]
struct AddContact {
    /// Name agents see.
    #[arg(long)]
    name: String,
    /// Phone number (repeat for several).
    #[arg(long = "phone", required = true)]
    phones: Vec<String>,
    /// Responsible agent's extension.
    #[arg(long)]
    responsible: Option<String>,
    /// CRM card URL.
    #[arg(long)]
    crm_url: Option<String>,
    /// Free text.
    #[arg(long)]
    note: Option<String>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("XVB_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xvb: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let data = DataDir::resolve(cli.data_dir)?;
    match cli.command {
        Command::Config(ConfigCommand::Set { key, value }) => {
            let mut config = data.load_config()?;
            config.set(&key, &value)?;
            data.save_config(&config)?;
            println!("{key} saved");
        }
        Command::Config(ConfigCommand::Show) => {
            let config = data.load_config()?;
            println!("# {}", data.config_path().display());
            println!("# keys you can set: {}", KEYS.join(", "));
            print!(
                "{}",
                toml::to_string_pretty(&config).map_err(|e| CliError::Failed(e.to_string()))?
            );
        }
        Command::WebhookUrl => println!("{}", data.load_config()?.webhook_url()),
        Command::Serve {
            listen,
            relay: code,
            notify,
        } => match relay::join_code(&data, code)? {
            Some(code) => relay::serve_agent(
                &data,
                code,
                ServeNotifier {
                    popups: notify.then(popup::Popups::start),
                },
            )?,
            None => serve(&data, listen, notify)?,
        },
        Command::History {
            json,
            phone,
            status,
            limit,
        } => {
            let calls = Database::open(&data.database_path())?.history(&HistoryQuery {
                phone,
                status,
                limit,
                ..HistoryQuery::default()
            })?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&calls).expect("calls serialise")
                );
            } else {
                for c in &calls {
                    println!(
                        "{}  {:<3} {:<14} {:<24} {:<10} {:>5}s  ext={:<5} {}",
                        c.first_seen
                            .replace_nanosecond(0)
                            .unwrap_or(c.first_seen)
                            .format(&time::format_description::well_known::Rfc3339)
                            .unwrap_or_default(),
                        c.direction.map_or("?", |d| d.as_str()),
                        c.phone.as_deref().unwrap_or("-"),
                        c.contact_name.as_deref().unwrap_or("-"),
                        c.status,
                        c.duration.unwrap_or(0),
                        c.answered_by.as_deref().unwrap_or("-"),
                        c.record_link.as_deref().unwrap_or(""),
                    );
                }
            }
        }
        Command::Journal { after, limit } => {
            for entry in Database::open(&data.database_path())?.journal(after, limit)? {
                println!(
                    "{}",
                    serde_json::to_string(&entry).expect("entries serialise")
                );
            }
        }
        Command::Contacts(command) => return contacts_command(&data, command),
        Command::Call {
            number,
            relay: code,
            from,
        } => match (from, relay::join_code(&data, code)?) {
            (None, Some(code)) => relay::call_through(&data, code, &number)?,
            (from, _) => call(&data, &number, from)?,
        },
        Command::Relay(command) => relay::run(&data, command)?,
        Command::Token(args) => token_command(&data, args)?,
        Command::DecodeG722 {
            input,
            output,
            bits,
        } => decode_g722(&input, &output, bits)?,
        Command::Recording(command) => recording(&data, command)?,
        Command::Sim(args) => return sim::run(args),
    }
    Ok(ExitCode::SUCCESS)
}

fn contacts_command(data: &DataDir, command: ContactsCommand) -> Result<ExitCode, CliError> {
    let mut db = Database::open(&data.database_path())?;
    match command {
        ContactsCommand::Import { file } => {
            let text = std::fs::read_to_string(&file).map_err(|source| CliError::Read {
                path: file.clone(),
                source,
            })?;
            let report = db.import(contacts::parse_file(&text)?)?;
            for error in &report.errors {
                eprintln!(
                    "{}:{}: skipped: {}",
                    file.display(),
                    error.line,
                    error.reason
                );
            }
            println!(
                "imported {} new, updated {}, skipped {} (see above)",
                report.added,
                report.updated,
                report.errors.len()
            );
            if !report.errors.is_empty() {
                return Ok(ExitCode::from(2));
            }
        }
        ContactsCommand::List { json } => {
            let all = db.contacts()?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&all).expect("contacts serialise")
                );
            } else {
                for c in all {
                    println!(
                        "#{:<6} {:<30} {:<32} responsible={}",
                        c.id,
                        c.name,
                        c.phones.join("; "),
                        c.responsible.as_deref().unwrap_or("-")
                    );
                }
            }
        }
        ContactsCommand::Add(add) => {
            let id = db.add_contact(Contact {
                id: 0,
                name: add.name,
                phones: add.phones,
                responsible: add.responsible,
                crm_url: add.crm_url,
                note: add.note,
            })?;
            println!("saved contact #{id}");
        }
        ContactsCommand::Remove { number_or_id } => {
            if !db.remove_contact(&number_or_id)? {
                return Err(CliError::Failed(format!(
                    "no contact has `{number_or_id}`; see `xvb contacts list`"
                )));
            }
            println!("removed");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn call(data: &DataDir, number: &str, from: Option<String>) -> Result<(), CliError> {
    let to = DialNumber::parse(number).map_err(DialError::from)?;
    let config = data.load_config()?;
    let from = from
        .or(config.extension.clone())
        .ok_or(DialError::NoExtension)?;
    let accepted =
        current_thread_runtime()?.block_on(dial_with_account_token(&config, &from, &to))?;
    let reply = if accepted.reply.is_empty() {
        String::new()
    } else {
        format!(": {}", accepted.reply)
    };
    println!(
        "calling {} from extension {from}: the PBX accepted (HTTP {}{reply})",
        to.as_str(),
        accepted.status
    );
    Ok(())
}

fn recording(data: &DataDir, command: RecordingCommand) -> Result<(), CliError> {
    let callid = match &command {
        RecordingCommand::Fetch { callid } | RecordingCommand::Export { callid, .. } => callid,
    };
    let call = Database::open(&data.database_path())?
        .call(callid)?
        .ok_or_else(|| {
            CliError::Failed(format!(
                "no call `{callid}` in the history; see `xvb history`"
            ))
        })?;
    let config = data.load_config()?;
    let fetcher = Fetcher::new(
        config.pbx_url.as_deref(),
        data.recordings_path(),
        Limits::from_config(&config),
        Login::from_config(&config)?,
    )?;
    let fetched = current_thread_runtime()?.block_on(fetcher.fetch(&call))?;
    let origin = if fetched.cached {
        "from the cache"
    } else {
        "downloaded"
    };
    println!(
        "{} bytes {origin}: {}",
        fetched.bytes,
        fetched.path.display()
    );
    if fetched.size_matches_duration == Some(false) {
        println!(
            "note: {} bytes is about {} s of audio, but the call lasted {} s",
            fetched.bytes,
            fetched.bytes / recordings::BYTES_PER_SECOND,
            call.duration.unwrap_or(0)
        );
    }
    if let RecordingCommand::Export { output, .. } = command {
        decode_g722(&fetched.path, &output, 64)?;
    }
    Ok(())
}

fn decode_g722(
    input: &std::path::Path,
    output: &std::path::Path,
    bits: u32,
) -> Result<(), CliError> {
    let bitrate = Bitrate::from_kbit(bits)
        .ok_or_else(|| CliError::Failed(format!("--bits must be 64, 56 or 48, got {bits}")))?;
    let bytes = std::fs::read(input).map_err(|source| CliError::Read {
        path: input.to_path_buf(),
        source,
    })?;
    let decoded = g722::decode_recording(&bytes, bitrate)
        .map_err(|e| CliError::Failed(format!("{}: {e}", input.display())))?;
    if decoded.bit_reversed {
        println!("the file's bits were reversed; corrected");
    }
    let samples = decoded.samples;
    std::fs::write(output, g722::wav(&samples))
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", output.display())))?;
    println!(
        "decoded {} bytes into {:.1} s of 16 kHz audio: {}",
        bytes.len(),
        samples.len() as f64 / f64::from(g722::SAMPLE_RATE),
        output.display()
    );
    Ok(())
}

fn token_command(data: &DataDir, args: TokenArgs) -> Result<(), CliError> {
    let config = data.load_config()?;
    let account = config.access_code.as_deref().unwrap_or_default();
    let (kind, what) = if args.recordings {
        (SecretKind::RecordingsPassword, "recordings password")
    } else if args.tunnel {
        (SecretKind::TunnelSecret, "tunnel secret")
    } else {
        (SecretKind::PbxToken, "token")
    };
    let store = TokenStore::of_kind(config.access_code.as_deref(), kind)?;
    match args.command {
        TokenCommand::Set => {
            let text = if std::io::stdin().is_terminal() {
                rpassword::prompt_password(format!("PBX {what} (typing is hidden): "))
            } else {
                std::io::read_to_string(std::io::stdin())
            }
            .map_err(|e| CliError::Failed(format!("cannot read the {what}: {e}")))?;
            store.store(&Secret::new(text)?)?;
            println!("{what} stored in the keyring for account {account}");
        }
        TokenCommand::Status => {
            let stored = if store.is_stored()? {
                "stored"
            } else {
                "not stored"
            };
            println!("{what} for account {account}: {stored}");
            if kind == SecretKind::PbxToken
                && std::env::var_os(TOKEN_ENV).is_some_and(|v| !v.is_empty())
            {
                println!("{TOKEN_ENV} is set in the environment: dialing uses it instead (headless servers only)");
            }
        }
        TokenCommand::Clear => {
            let removed = store.clear()?;
            println!(
                "{}",
                if removed {
                    format!("{what} removed from the keyring")
                } else {
                    format!("no {what} was stored")
                }
            );
        }
    }
    Ok(())
}

pub(crate) fn current_thread_runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start: {e}")))
}

/// Prints each decision as one line on stdout, and pops it when asked.
pub(crate) struct ServeNotifier {
    pub(crate) popups: Option<popup::Popups>,
}

impl Notifier for ServeNotifier {
    fn notify(&self, notice: Notice) {
        println!("{notice}");
        if let Some(popups) = &self.popups {
            popups.show(notice);
        }
    }
}

fn serve(data: &DataDir, listen: Option<SocketAddr>, notify: bool) -> Result<(), CliError> {
    let config = data.load_config()?;
    let addr = listen.unwrap_or(config.listen);
    if config.access_code.is_none() {
        tracing::warn!("no access_code configured: every PBX request will be refused with 403; run `xvb config set access_code <account>`");
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|e| CliError::Failed(e.to_string()))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| CliError::Bind { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| CliError::Bind { addr, source })?;
        let mut shown = config.clone();
        shown.listen = bound;
        let webhook = shown.webhook_url();
        let tunnel = TunnelTarget::from_config(&config);
        let notifier = ServeNotifier {
            popups: notify.then(popup::Popups::start),
        };
        let engine = Engine::open(data, config, Arc::new(notifier))?;
        println!("listening on http://{bound}");
        println!("webhook URL: {webhook}");
        // Kept until the listener ends.
        let _tunnel = tunnel.map(|target| {
            let tunnel = tunnel::start(target, bound.port());
            let mut status = tunnel.status.clone();
            tokio::spawn(async move {
                while status.changed().await.is_ok() {
                    let now = status.borrow_and_update().clone();
                    println!("tunnel: {now}");
                    if let TunnelStatus::Open(public) = now {
                        // bore carries plain HTTP: a public_url (a TLS proxy in front) wins.
                        if shown.public_url.is_none() {
                            println!("webhook URL: {public}/hook/{}", shown.webhook_secret);
                        }
                    }
                }
            });
            tunnel
        });
        engine.serve(listener, shutdown_signal()).await?;
        Ok(())
    })
}

pub(crate) async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler installs");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
    tracing::info!("stopping");
}
