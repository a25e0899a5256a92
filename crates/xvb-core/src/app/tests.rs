//! The app engine's tests, on a real data dir and real sockets.

use super::*;
use crate::pbx::notifier::Silent;

/// The app on a fresh data dir whose config has `key` set to `value`.
fn opened_with(key: &str, value: &str) -> (tempfile::TempDir, DataDir, Companion) {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::resolve(Some(dir.path().to_path_buf())).unwrap();
    let mut config = data.load_config().unwrap();
    config.set(key, value).unwrap();
    data.save_config(&config).unwrap();
    let companion = Companion::open(data.clone(), Arc::new(Silent)).unwrap();
    (dir, data, companion)
}

#[tokio::test]
async fn a_taken_port_keeps_the_old_listener_and_settings() {
    let (_dir, data, companion) = opened_with("listen", "127.0.0.1:0");
    let listening = companion.start_listener().await.unwrap();

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap().to_string();
    let error = companion
        .save_settings(vec![
            ("listen".into(), taken_addr),
            ("extension".into(), "101".into()),
        ])
        .await
        .unwrap_err();
    assert_eq!(error.field.as_deref(), Some("listen"));
    assert!(
        error.message.contains("choose another port"),
        "{}",
        error.message
    );
    assert_eq!(companion.config().extension, None, "nothing was applied");
    assert_eq!(
        data.load_config().unwrap().extension,
        None,
        "nothing was saved"
    );
    assert!(
        tokio::net::TcpStream::connect(listening).await.is_ok(),
        "still listening"
    );

    let error = companion
        .save_settings(vec![("pbx_url".into(), "ftp://pbx.example".into())])
        .await
        .unwrap_err();
    assert_eq!(error.field.as_deref(), Some("pbx_url"));
    assert!(
        error.message.starts_with("Must be ") && !error.message.contains("pbx_url"),
        "worded for the field it is shown beside: {}",
        error.message
    );

    let view = companion
        .save_settings(vec![("extension".into(), "101".into())])
        .await
        .unwrap();
    assert_eq!(view.config.extension.as_deref(), Some("101"));
    assert_eq!(
        data.load_config().unwrap().extension.as_deref(),
        Some("101")
    );
}

#[tokio::test]
async fn the_listener_moves_between_this_computer_and_the_lan_on_one_port() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_dir, _data, companion) = opened_with("listen", &format!("127.0.0.1:{port}"));
    companion.start_listener().await.unwrap();
    for listen in [format!("0.0.0.0:{port}"), format!("127.0.0.1:{port}")] {
        let view = companion
            .save_settings(vec![("listen".into(), listen.clone())])
            .await
            .unwrap();
        assert_eq!(view.config.listen.to_string(), listen);
        assert!(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok(),
            "listening on {listen}"
        );
    }
}

#[tokio::test]
async fn settings_saved_in_relay_mode_keep_the_agents_own_extension() {
    let (_dir, data, companion) = opened_with("extension", "102");
    // Joined to a relay, the link uses the extension the join code names.
    let mut adopted = (*companion.config()).clone();
    adopted.extension = Some("101".into());
    companion.state.config.store(Arc::new(adopted));

    let view = companion
        .save_settings(vec![("do_not_disturb".into(), "on".into())])
        .await
        .unwrap();
    assert!(view.config.do_not_disturb);
    assert_eq!(companion.config().extension.as_deref(), Some("101"));
    let saved = data.load_config().unwrap();
    assert!(saved.do_not_disturb);
    assert_eq!(
        saved.extension.as_deref(),
        Some("102"),
        "config.toml keeps this computer's own extension"
    );
}

#[tokio::test]
async fn a_second_link_within_ten_seconds_waits_on_the_dial_pad() {
    let (_dir, _data, companion) = opened_with("dial_links_at_once", "on");
    companion
        .save_settings(vec![("language".into(), "en".into())])
        .await
        .unwrap();

    let first = companion.link_request("tel:+79201119613");
    assert!(first.dial_now && first.error.is_none(), "{first:?}");
    let second = companion.link_request("tel:+79001112233");
    assert!(!second.dial_now);
    assert_eq!(second.number.as_deref(), Some("+79001112233"));
    let why = second.error.unwrap();
    assert!(why.contains("press Call to dial this one"), "{why}");
}

#[tokio::test]
async fn with_russian_chosen_what_the_app_says_is_russian() {
    let (_dir, _data, companion) = opened_with("language", "ru");
    let language = companion.language();
    assert_eq!(language, Language::Ru);

    let no_extension = companion.dial("+7 920 111-96-13").await.unwrap_err();
    assert_eq!(no_extension.code, ErrorCode::Config);
    assert_eq!(
        no_extension.message,
        "enter your extension in Settings first"
    );
    assert_eq!(
        no_extension.in_language(language).message,
        "не указан ваш внутренний номер: введите его в настройках, в поле «Мой внутренний номер»"
    );
    let no_relay = companion.claim_missed("79201119613").await.unwrap_err();
    assert!(no_relay
        .in_language(language)
        .message
        .starts_with("пропущенные звонки команды хранит командный ретранслятор"));
    let no_account = companion.send_test_call().await.unwrap_err();
    assert_eq!(
        no_account.in_language(language).message,
        "сначала введите в настройках код доступа (номер аккаунта АТС)"
    );
    let notice = companion.selection_request("no digits here").error.unwrap();
    assert_eq!(notice, "в выделенном тексте нет номера телефона");

    let refused = companion
        .save_settings(vec![("extension".into(), "10 1".into())])
        .await
        .unwrap_err()
        .in_language(language);
    assert_eq!(refused.field.as_deref(), Some("extension"));
    assert_eq!(
        refused.message,
        "Нужны только цифры (например, 10019), а введено «10 1»"
    );
}
