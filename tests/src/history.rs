//! Call history written straight into a data dir's database, as the listener
//! would have stored it after the PBX's webhook posts: for tests and benches
//! that need calls in history without sending each one; and an exported
//! history read back as a spreadsheet user's tools read it ([`read_csv`]).

use crate::pbx::ACCESS_CODE;
use std::path::Path;
use xvb_core::pbx::protocol::CallEvent;
use xvb_core::pbx::sim::SimCall;
use xvb_core::store::Writer;

/// Stores `call` as answered: its `INCOMING` event, then `COMPLETED` with status
/// `Success`, `seconds` long, with the recording `link` if any, and the book's
/// `name` for the caller if any.
pub async fn store_answered_call(
    writer: &Writer,
    call: &SimCall,
    seconds: u64,
    link: Option<&str>,
    name: Option<&str>,
) {
    for fields in [call.incoming(), call.completed("Success", seconds, link)] {
        writer
            .record_event(CallEvent::parse(fields).unwrap(), name.map(str::to_owned))
            .await
            .unwrap();
    }
}

/// Stores `calls` calls through a relay's writer in `data` (as the PBX's
/// webhooks would): 4 in 5 answered by one of `agents` extensions (1000 on),
/// 1 in 5 missed, from `callers` numbers, on `lines` in turn; concurrently,
/// so the writer batches them as under load.
pub async fn seed_relay_calls(
    data: &xvb_core::config::DataDir,
    calls: usize,
    agents: usize,
    callers: usize,
    lines: &[&str],
) {
    let writer = Writer::start(&data.database_path()).unwrap();
    let mut pending = tokio::task::JoinSet::new();
    for i in 0..calls {
        let call = SimCall {
            access_code: ACCESS_CODE.into(),
            callid: format!("BENCH-{i:07}"),
            phone: format!("7916{:07}", i % callers),
            ext: (1000 + i % agents).to_string(),
            line: Some(lines[i % lines.len()].to_owned()),
        };
        let events = if i % 5 == 0 {
            vec![call.incoming(), call.completed("Missed", 0, None)]
        } else {
            vec![
                call.incoming(),
                call.answered(),
                call.completed("Success", 60, None),
            ]
        };
        let writer = writer.clone();
        pending.spawn(async move {
            for fields in events {
                let event = CallEvent::parse(fields).unwrap();
                writer.record_event(event, None).await.unwrap();
            }
        });
        if pending.len() >= 256 {
            pending.join_next().await;
        }
    }
    while pending.join_next().await.is_some() {}
}

/// First names, last names and companies the seeded contacts are made of.
const FIRST: [&str; 20] = [
    "Александр",
    "Алексей",
    "Анна",
    "Андрей",
    "Дмитрий",
    "Елена",
    "Иван",
    "Ирина",
    "Мария",
    "Михаил",
    "Наталья",
    "Николай",
    "Ольга",
    "Павел",
    "Сергей",
    "Светлана",
    "Татьяна",
    "Юлия",
    "Владимир",
    "Екатерина",
];
const LAST: [&str; 25] = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
];
const COMPANY: [&str; 10] = [
    "Рога и копыта",
    "Ромашка",
    "Вектор",
    "Альфа",
    "СтройМир",
    "ТехноСервис",
    "Гарант",
    "Меридиан",
    "Acme Trading",
    "Nord Logistics",
];

/// A well-mixed number for `n` (SplitMix64), so seeded data looks random but repeats.
pub fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D1_049E_B133_11EB);
    z ^ (z >> 31)
}

/// Client `k` of the seeded history: a mobile number and a contact name as a
/// CRM writes it (`Имя Фамилия/Компания 12`).
pub fn client(k: u64) -> (String, String) {
    let r = mix(k);
    let first = FIRST[(r % 20) as usize];
    let last = LAST[((r >> 8) % 25) as usize];
    let company = COMPANY[((r >> 16) % 10) as usize];
    (
        format!("79{:09}", (r >> 24) % 1_000_000_000),
        format!("{first} {last}/{company} {}", (r >> 40) % 100),
    )
}

/// How many calls each seeded client made, on average.
const CALLS_PER_CLIENT: u64 = 5;

/// What agents type into the history search over a history of `calls` seeded
/// calls: `n` fragments, half digits of a client's number (4 to 7 of them),
/// half part of a name or company (3 to 6 letters, as typed: any case).
pub fn typed_searches(calls: usize, n: usize) -> Vec<String> {
    let clients = (calls as u64 / CALLS_PER_CLIENT).max(1);
    (0..n as u64)
        .map(|i| {
            let r = mix(1_000_000 + i);
            let (number, name) = client(r % clients);
            let take = |text: &str, len: usize| -> String {
                let chars: Vec<char> = text.chars().collect();
                let len = len.min(chars.len());
                let from = (r >> 32) as usize % (chars.len() - len + 1);
                chars[from..from + len].iter().collect()
            };
            if i % 2 == 0 {
                take(&number[2..], 4 + (r >> 8) as usize % 4)
            } else {
                let word = name
                    .split(['/', ' '])
                    .nth(1 + (r >> 12) as usize % 2)
                    .unwrap_or(&name);
                let typed = take(word, 3 + (r >> 8) as usize % 4);
                if r.is_multiple_of(3) {
                    typed.to_uppercase()
                } else {
                    typed.to_lowercase()
                }
            }
        })
        .collect()
}

/// Stores `calls` answered incoming calls (60 s, with a record link) in the
/// database of the data dir `data`, as the listener would: from clients who
/// called five times each on average, each with a contact name. Returns how
/// long after the last call was stored the search index held every call.
pub async fn seed_history(data: &Path, calls: usize) -> std::time::Duration {
    let path = xvb_core::config::DataDir::resolve(Some(data.to_path_buf()))
        .unwrap()
        .database_path();
    let writer = Writer::start(&path).unwrap();
    let clients = (calls as u64 / CALLS_PER_CLIENT).max(1);
    // A few thousand at a time: the writer commits them in groups, as under load.
    in_chunks(calls as u64, 4096, |i| {
        let writer = writer.clone();
        async move {
            let (phone, name) = client(mix(i) % clients);
            let call = SimCall {
                access_code: ACCESS_CODE.into(),
                callid: format!("H{i:07}"),
                phone,
                ext: "101".into(),
                line: Some("74950000000".into()),
            };
            let link = Some("https://pbx.invalid/r.g722");
            store_answered_call(&writer, &call, 60, link, Some(&name)).await;
        }
    })
    .await;
    until_indexed(&path).await
}

/// Runs `task(i)` for `i` in `0..count`, `chunk` of them at a time side by side.
async fn in_chunks<F, T>(count: u64, chunk: usize, task: F)
where
    F: Fn(u64) -> T,
    T: std::future::Future<Output = ()> + Send + 'static,
{
    for ids in (0..count).collect::<Vec<_>>().chunks(chunk) {
        let running: Vec<_> = ids.iter().map(|&i| tokio::spawn(task(i))).collect();
        for each in running {
            each.await.unwrap();
        }
    }
}

/// How long until every call of the database at `path` is in the search index.
async fn until_indexed(path: &Path) -> std::time::Duration {
    let stored = std::time::Instant::now();
    let db = xvb_core::store::Database::open(path).unwrap();
    while db.calls_waiting_for_search_index().unwrap() > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stored.elapsed()
}

/// What agents write in call notes (the seeded notes are these, with a tag).
const NOTE_PHRASES: [&str; 16] = [
    "обещал выставить счёт до пятницы",
    "просит перезвонить после обеда",
    "жалоба на задержку доставки",
    "уточнить наличие на складе",
    "интересуется оптовыми ценами",
    "договорились о встрече во вторник",
    "не устроила цена, подумает",
    "передать менеджеру по договорам",
    "ошибся номером, искал такси",
    "нужен акт сверки за квартал",
    "возврат товара, ждёт курьера",
    "promised the invoice by Friday",
    "wants a callback about the contract",
    "сменился контактный телефон",
    "оплата прошла, отправить документы",
    "просит скидку на повторный заказ",
];

/// The team's tags on the seeded notes.
pub const NOTE_TAGS: [&str; 4] = ["Продажа", "Жалоба", "Перезвонить", "Ошибся номером"];

/// Writes `notes` notes (a phrase and a tag each, by extension 101) on calls
/// of a history seeded by [`seed_history`] with `calls` calls; how long after
/// the last note the search index held every call again.
pub async fn seed_notes(data: &Path, calls: usize, notes: usize) -> std::time::Duration {
    let path = xvb_core::config::DataDir::resolve(Some(data.to_path_buf()))
        .unwrap()
        .database_path();
    let writer = Writer::start(&path).unwrap();
    in_chunks(notes as u64, 1024, |j| {
        let writer = writer.clone();
        async move {
            let r = mix(2_000_000 + j);
            let draft = xvb_core::notes::NoteDraft {
                id: None,
                callid: format!("H{:07}", r % calls as u64),
                text: NOTE_PHRASES[(r >> 20) as usize % NOTE_PHRASES.len()].into(),
                tags: vec![NOTE_TAGS[(r >> 28) as usize % NOTE_TAGS.len()].into()],
                at: None,
                key: None,
            };
            let write = xvb_core::store::NoteWrite::Author {
                draft,
                by: Some("101".into()),
            };
            writer.record_note(write, None).await.unwrap();
        }
    })
    .await;
    until_indexed(&path).await
}

/// What agents type to find a note: `n` fragments of 3 to 6 letters of the
/// seeded notes' words (4 letters or more), in any case.
pub fn typed_note_searches(n: usize) -> Vec<String> {
    (0..n as u64)
        .map(|i| {
            let r = mix(3_000_000 + i);
            let phrase = NOTE_PHRASES[r as usize % NOTE_PHRASES.len()];
            let words: Vec<&str> = phrase
                .split([' ', ','])
                .filter(|w| w.chars().count() >= 4)
                .collect();
            let word: Vec<char> = words[(r >> 16) as usize % words.len()].chars().collect();
            let len = (3 + (r >> 24) as usize % 4).min(word.len());
            let from = (r >> 32) as usize % (word.len() - len + 1);
            let typed: String = word[from..from + len].iter().collect();
            if r.is_multiple_of(3) {
                typed.to_uppercase()
            } else {
                typed
            }
        })
        .collect()
}

/// A CSV file as Python's `csv` module reads it (BOM dropped, `delimiter`
/// between cells): one object per row, keyed by the header's names.
pub fn read_csv(path: &Path, delimiter: char) -> Vec<serde_json::Value> {
    let read = std::process::Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys\n\
             rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig', newline=''), delimiter=sys.argv[2]))\n\
             print(json.dumps(rows, ensure_ascii=False))",
        ])
        .arg(path)
        .arg(delimiter.to_string())
        .output()
        .expect("python3 runs");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    serde_json::from_slice(&read.stdout).expect("Python printed JSON")
}
