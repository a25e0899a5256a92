//! What contact sources cost (`make bench`):
//!
//! - an LDAP directory of 100,000 people (Debian's `slapd`, started here)
//!   synced by `xvb contacts sync`, timed; then `xvb serve` holding that book
//!   against the same book imported from CSV: resident and peak memory once
//!   `cmd=contact` answers from it;
//! - a CRM (the stand-in of `xvb_e2e::crm`, answering at once, so what is
//!   measured is ours): `cmd=contact` for numbers only it knows, cold (asked
//!   of the CRM) and cached, against numbers in the book, in the same run.

use std::fmt::Write;
use std::time::{Duration, Instant};
use xvb_e2e::agent::Agent;
use xvb_e2e::crm::{add_crm, start_crm, TOKEN};
use xvb_e2e::fleet::percentiles;
use xvb_e2e::ldap::{add_corp, people, Person, Slapd, READER_PASSWORD};
use xvb_e2e::pbx::ask_contact;
use xvb_e2e::process::{kib, ms_since};

const PEOPLE: usize = 100_000;

/// The `xvb serve` of `agent`, once `cmd=contact` names `probe`'s caller:
/// its resident and peak memory in MB, and how long that took.
fn served_memory(agent: &Agent, probe: &Person) -> (f64, f64, Duration) {
    let started = Instant::now();
    let served = agent.serve();
    let target = served.target();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ask_contact(&target, &probe.phones[0]).contains(&probe.name) {
        assert!(
            Instant::now() < deadline,
            "the book never answered: {}",
            agent.ok(&["contacts", "sources"])
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let answered = started.elapsed();
    // Settled: what the process keeps, and the most it took.
    std::thread::sleep(Duration::from_secs(2));
    let status = format!("/proc/{}/status", served.child.id());
    let mb = |field| kib(&status, field) as f64 / 1024.0;
    (mb("VmRSS:"), mb("VmHWM:"), answered)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    ldap();
    crm();
}

/// `cmd=contact` for this many numbers of each kind.
const ASKED: usize = 2_000;

/// CRM look-ups through `xvb serve`: cold, cached, and from the book.
fn crm() {
    let (base, asked) = start_crm();
    let agent = Agent::with_env(
        "100",
        vec![("XVB_SOURCE_PASSWORD_CRM".to_owned(), TOKEN.to_owned())],
    );
    add_crm(&agent, &base);
    let mut csv = String::from("name,phone\n");
    for i in 0..ASKED {
        writeln!(csv, "Контакт {i},7498{i:07}").unwrap();
    }
    let file = agent.dir.path().join("book.csv");
    std::fs::write(&file, csv).unwrap();
    agent.ok(&["contacts", "import", file.to_str().unwrap()]);
    let served = agent.serve();
    let target = served.target();
    let time = |prefix: &str, expect: &str| {
        let mut ms: Vec<f64> = (0..ASKED)
            .map(|i| {
                let number = format!("{prefix}{i:07}");
                let started = Instant::now();
                let answer = ask_contact(&target, &number);
                let took = ms_since(started);
                assert!(answer.contains(expect), "{number}: {answer}");
                took
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        ms
    };
    let book = time("7498", "Контакт");
    let cold = time("7499", "Клиент");
    let cached = time("7499", "Клиент");
    let book_again = time("7498", "Контакт");
    println!("# CRM look-ups, cmd=contact over loopback HTTP (a connection each, as the PBX)");
    percentiles("in the book", &book);
    percentiles("in the book, again", &book_again);
    percentiles("CRM, cold (asked of the CRM)", &cold);
    percentiles("CRM, cached", &cached);
    let requests: usize = asked.lock().unwrap().values().sum();
    println!("requests the CRM got: {requests} for {ASKED} numbers asked twice");
}

/// An LDAP directory of 100,000 people: its sync, and the listener's memory.
fn ldap() {
    let directory = people(PEOPLE);
    let seeding = Instant::now();
    let slapd = Slapd::start(&directory);
    println!(
        "# contact sources, release build, {} cores; {PEOPLE} people in slapd (loaded in {:.1} s)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        seeding.elapsed().as_secs_f64()
    );
    let probe = &directory[PEOPLE - 1];

    // The same book from CSV: name, every number, responsible.
    let csv_agent = Agent::new("100");
    let mut csv = String::from("name,phone,responsible\n");
    for person in &directory {
        let numbers: Vec<&str> = person
            .phones
            .iter()
            .chain(&person.mobiles)
            .map(String::as_str)
            .collect();
        let responsible = person.responsible.as_deref().unwrap_or_default();
        writeln!(csv, "{},{},{responsible}", person.name, numbers.join(";")).unwrap();
    }
    let file = csv_agent.dir.path().join("book.csv");
    std::fs::write(&file, csv).unwrap();
    csv_agent.ok(&["contacts", "import", file.to_str().unwrap()]);
    let (csv_rss, csv_peak, csv_ready) = served_memory(&csv_agent, probe);

    let password = vec![(
        "XVB_SOURCE_PASSWORD_CORP".to_owned(),
        READER_PASSWORD.to_owned(),
    )];
    let ldap_agent = Agent::with_env("100", password.clone());
    add_corp(&ldap_agent, &slapd.url());
    let mut syncs = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let said = ldap_agent.ok(&["contacts", "sync"]);
        syncs.push(ms_since(started));
        assert!(said.contains(&format!("corp: {PEOPLE} entries")), "{said}");
    }
    xvb_e2e::process::print_median_max(
        &format!(
            "xvb contacts sync, {PEOPLE} entries (the first copies, the others find no change)"
        ),
        &mut syncs,
    );
    // A fresh store: `xvb serve` syncs at start, then answers from the copy.
    let fresh = Agent::with_env("100", password);
    add_corp(&fresh, &slapd.url());
    let (ldap_rss, ldap_peak, ldap_ready) = served_memory(&fresh, probe);
    println!(
        "xvb serve, book from CSV:  {csv_rss:.1} MB resident, {csv_peak:.1} MB peak (answering {:.1} s after start)",
        csv_ready.as_secs_f64()
    );
    println!(
        "xvb serve, book from LDAP: {ldap_rss:.1} MB resident, {ldap_peak:.1} MB peak (synced at start, answering {:.1} s after start)",
        ldap_ready.as_secs_f64()
    );
    println!(
        "LDAP over CSV: {:+.1} MB resident, {:+.1} MB peak",
        ldap_rss - csv_rss,
        ldap_peak - csv_peak
    );
}
