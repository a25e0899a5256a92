//! Files the app saves for the agent (history and contacts exports): a new
//! file in the Downloads folder, readable only by this user.

use super::messages::CannotWrite;
use super::{ErrorCode, UiError};
use crate::audio::export::{downloads_dir, unused_path};

/// Creates `name` in Downloads (`name (2)` and so on when taken) and hands it
/// to `write`, off the async runtime; the path written and what `write` returned.
pub(super) async fn save_in_downloads<T: Send + 'static>(
    name: String,
    write: impl FnOnce(std::fs::File) -> Result<T, UiError> + Send + 'static,
) -> Result<(String, T), UiError> {
    tokio::task::spawn_blocking(move || {
        let folder = downloads_dir();
        let path = unused_path(&folder, &name);
        let cannot = |source: std::io::Error| {
            let path = path.clone();
            UiError::new(ErrorCode::Export, &CannotWrite { path, source })
        };
        std::fs::create_dir_all(&folder).map_err(cannot)?;
        let file = crate::private::create_file(&path).map_err(cannot)?;
        let written = write(file)?;
        Ok((path.display().to_string(), written))
    })
    .await?
}
