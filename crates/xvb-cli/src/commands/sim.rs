//! `xvb sim`: a PBX simulator speaking exactly as the PBX does.

use super::{bind, current_thread_runtime};
use crate::error::CliError;
use crate::outside::{out, say};
use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use xvb_core::pbx::protocol::Fields;
use xvb_core::pbx::sim::{new_callid, SimCall, SimPbx, Target};
use xvb_core::secret::Secret;

/// `xvb sim` options.
#[derive(Args)]
pub(crate) struct SimArgs {
    #[command(subcommand)]
    what: SimCommand,
    /// The webhook URL (from `xvb webhook-url`).
    #[arg(long, global = true, value_name = "URL")]
    to: Option<String>,
    /// The PBX account number.
    #[arg(long, global = true, default_value = "10019")]
    access_code: String,
    /// The client's number.
    #[arg(long, global = true, default_value = "79201119613")]
    phone: String,
    /// The agent's extension (answers, or dials).
    #[arg(long, global = true, default_value = "100")]
    ext: String,
    /// The number the client dialled.
    #[arg(long, global = true)]
    line: Option<String>,
    /// Call id (default: a new random one).
    #[arg(long, global = true)]
    callid: Option<String>,
}

#[derive(Subcommand)]
enum SimCommand {
    /// `cmd=contact`: ask who is calling.
    Contact,
    /// `INCOMING`.
    Incoming,
    /// `ANSWERED` by `--ext`.
    Answered,
    /// Outgoing call start by `--ext`.
    Outgoing,
    /// `COMPLETED`.
    Completed(Completion),
    /// A whole incoming call: contact look-up, INCOMING, ANSWERED, COMPLETED.
    Call(Completion),
    /// Act as the PBX for `makeCall`: check the token and numbers, then play
    /// the outgoing call (start, COMPLETED) back to the webhook.
    Pbx {
        /// Listen address, e.g. 127.0.0.1:9090 (`:0` picks a free port).
        #[arg(long, default_value = "127.0.0.1:9090")]
        listen: std::net::SocketAddr,
        /// The companion's webhook URL (`xvb webhook-url`).
        #[arg(long, value_name = "URL")]
        webhook: String,
        /// The token this PBX accepts.
        #[arg(long, env = "XVB_SIM_TOKEN", hide_env_values = true)]
        token: String,
    },
}

#[derive(Args)]
struct Completion {
    /// Final status (Success, Missed, …); `Missed` sends no ANSWERED.
    #[arg(long, default_value = "Success")]
    status: String,
    /// Talk time in seconds.
    #[arg(long, default_value_t = 16)]
    duration: u64,
    /// Recording URL (`call` makes one up in the PBX's style when absent).
    #[arg(long)]
    record_link: Option<String>,
}

/// Runs one `xvb sim` command; prints each reply as `STATUS BODY`.
pub(crate) fn run(args: SimArgs) -> Result<ExitCode, CliError> {
    if let SimCommand::Pbx {
        listen,
        webhook,
        token,
    } = &args.what
    {
        return serve_pbx(*listen, webhook, token, &args.access_code);
    }
    let to = args.to.clone().ok_or_else(|| {
        CliError::Failed("say where to send: --to URL (see `xvb webhook-url`)".into())
    })?;
    let target = Target::parse(&to)?;
    let call = SimCall {
        access_code: args.access_code,
        callid: args.callid.unwrap_or_else(new_callid),
        phone: args.phone,
        ext: args.ext,
        line: args.line,
    };
    let requests: Vec<(Fields, bool)> = match &args.what {
        SimCommand::Contact => vec![(call.contact(), false)],
        SimCommand::Incoming => vec![(call.incoming(), false)],
        SimCommand::Answered => vec![(call.answered(), true)],
        SimCommand::Outgoing => vec![(call.outgoing(), false)],
        SimCommand::Completed(c) => vec![(
            call.completed(&c.status, c.duration, c.record_link.as_deref()),
            false,
        )],
        SimCommand::Pbx { .. } => unreachable!("handled above"),
        SimCommand::Call(c) => {
            let link = c.record_link.clone().unwrap_or_else(|| {
                format!(
                    "https://pbx.invalid/ui/msg_download/120/{}/{}.g722",
                    call.access_code, call.callid
                )
            });
            let missed = c.status.eq_ignore_ascii_case("missed");
            let mut all = vec![(call.contact(), false), (call.incoming(), false)];
            if !missed {
                all.push((call.answered(), true));
            }
            let duration = if missed { 0 } else { c.duration };
            all.push((
                call.completed(&c.status, duration, (!missed).then_some(link.as_str())),
                false,
            ));
            all
        }
    };
    let runtime = current_thread_runtime()?;
    let mut all_ok = true;
    for (fields, header) in requests {
        let reply =
            runtime.block_on(target.send(&fields, header.then_some(call.access_code.as_str())))?;
        let what = fields.get("event").or(fields.get("cmd")).unwrap_or("?");
        say!(
            "{what} callid={} -> {} {}",
            call.callid,
            reply.status,
            reply.body.trim()
        );
        all_ok &= (200..300).contains(&reply.status);
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn serve_pbx(
    listen: SocketAddr,
    webhook: &str,
    token: &str,
    access_code: &str,
) -> Result<ExitCode, CliError> {
    let pbx = SimPbx {
        token: Secret::new(token.to_owned())?,
        webhook: Target::parse(webhook)?,
        access_code: access_code.to_owned(),
        report: Arc::new(|line| say!("{line}")),
    };
    current_thread_runtime()?.block_on(async {
        let (listener, bound) = bind(listen).await?;
        out!("PBX simulator listening on http://{bound}");
        axum::serve(listener, pbx.router())
            .await
            .map_err(|e| CliError::Failed(e.to_string()))
    })?;
    Ok(ExitCode::SUCCESS)
}
