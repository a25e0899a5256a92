//! XVB Companion desktop app: a thin Tauri shell over `xvb-core`.
//! Commands delegate to [`xvb_core::app::Companion`] in one line each.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod badge;
#[cfg(test)]
mod bindings;
mod commands;
mod desktop;
mod handover;
mod popups;
mod run_key;
mod team;
mod tray;
mod tray_status;
#[cfg(target_os = "linux")]
mod webview;

use std::sync::Arc;
use tauri::Manager;
use xvb_core::app::Companion;
use xvb_core::config::DataDir;

/// The app's shared state.
pub struct AppState {
    /// The engine.
    pub companion: Arc<Companion>,
}

fn main() {
    #[cfg(target_os = "linux")]
    webview::prepare();
    let _flush_logs_on_exit = desktop::init_logging();
    let data_dir = std::env::var_os("XVB_DATA_DIR").map(Into::into);
    let data = match DataDir::resolve(data_dir) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("xvb-companion: {e}");
            std::process::exit(1);
        }
    };
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tray::show_main_window(app);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_global_shortcut::Builder::new().build())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![desktop::MINIMIZED]),
        ))
        .setup(move |app| {
            let popups = popups::Popups::start(app.handle().clone());
            let companion = Arc::new(Companion::open(data.clone(), Arc::new(popups))?);
            app.manage(handover::PageRequests::default());
            app.manage(AppState {
                companion: Arc::clone(&companion),
            });
            tray::build(app.handle())?;
            desktop::setup(app.handle());
            tray::follow_reach(app.handle(), companion.reach());
            team::follow(app.handle(), companion.team());
            team::follow_tags(app.handle());
            tauri::async_runtime::spawn(async move {
                if let Err(e) = companion.start_reach().await {
                    tracing::error!(error = %e, "the listener (or the relay link) did not start");
                }
            });
            // `--minimized` (autostart) starts in the tray, without a window.
            if !std::env::args().any(|a| a == desktop::MINIMIZED) {
                tray::show_main_window(app.handle());
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::history,
            commands::check_number,
            commands::dial,
            commands::settings,
            commands::save_settings,
            commands::set_secret,
            commands::clear_secret,
            commands::play_recording,
            commands::warm_player,
            commands::save_recording,
            commands::desktop_status,
            commands::set_autostart,
            commands::open_logs_folder,
            commands::join_relay,
            commands::leave_relay,
            commands::send_test_call,
            commands::missed_seen,
            commands::team,
            commands::claim_missed,
            commands::release_missed,
            commands::set_status,
            commands::report,
            commands::tags,
            commands::save_note,
            commands::export_history,
            commands::contacts,
            commands::import_contacts,
            commands::contact_sources,
            commands::sync_sources,
            commands::add_source,
            commands::remove_source,
            commands::save_contact,
            commands::remove_contact,
            commands::export_contacts,
            commands::take_pending,
        ])
        .build(tauri::generate_context!())
        .expect("the app starts")
        .run(|app, event| match event {
            // Closing the window keeps the app (listener, pops, tray) running;
            // only Quit (an explicit exit code) ends it.
            tauri::RunEvent::ExitRequested {
                code: None, api, ..
            } => api.prevent_exit(),
            tauri::RunEvent::WindowEvent {
                event: tauri::WindowEvent::Destroyed,
                ..
            } => handover::page_gone(app),
            _ => {}
        });
}
