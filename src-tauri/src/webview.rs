//! A lighter WebKit on Linux: what the app sets before its first webview so an
//! open window costs less memory (BENCHMARKS.md, issue 15).
//!
//! Every environment lever is set only when the variable is unset, so an admin
//! (or the bench, measuring the baseline) can override it, e.g.
//! `WEBKIT_DISABLE_COMPOSITING_MODE=0`.

/// WebKit's variables: accelerated compositing off (the window is a list and a
/// form; nothing on it needs a GPU layer), and shared-memory buffers for what
/// WebKit still composites (the combination that avoids the DMA-BUF renderer's
/// crashes reported on WebKitGTK 2.52).
const WEBKIT_ENV: [(&str, &str); 2] = [
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    ("WEBKIT_DMABUF_RENDERER_FORCE_SHM", "1"),
];

/// glibc's malloc arenas for the app process (default 8 per core): the app's
/// threads are few and mostly idle.
const MALLOC_ARENAS: i32 = 2;

/// Sets the levers. Call first thing in `main`, before any thread starts (the
/// environment is read by WebKit's processes, which inherit it).
pub fn prepare() {
    for (name, value) in WEBKIT_ENV {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
    // glibc reads MALLOC_ARENA_MAX itself when it is set; otherwise ask it here.
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only changes a limit of the allocator; no thread runs yet.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, MALLOC_ARENAS) };
    }
}

/// Caches a single-page app does not use: the memory cache of dead resources
/// (32–64 MB by default) and the back/forward page cache.
pub fn trim(window: &tauri::WebviewWindow) {
    let tuned = window.with_webview(|webview| {
        use webkit2gtk::{CacheModel, SettingsExt, WebContextExt, WebViewExt};
        let view = webview.inner();
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_page_cache(false);
        }
    });
    if let Err(e) = tuned {
        tracing::warn!(error = %e, "could not trim the webview's caches");
    }
}
