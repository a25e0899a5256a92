//! Where the app keeps its config, database and caches, readable by this
//! user only, and loading and saving `config.toml` there.

use super::{new_secret, Config};
use crate::CoreError;
use std::path::{Path, PathBuf};

/// Where the app keeps its config, database and caches.
#[derive(Debug, Clone)]
pub struct DataDir(PathBuf);

impl DataDir {
    /// `explicit`, else `XVB_DATA_DIR` (read by the caller), else the OS data dir.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<Self, CoreError> {
        if let Some(dir) = explicit {
            return Ok(DataDir(dir));
        }
        directories::ProjectDirs::from("", "", "xvb-companion")
            .map(|dirs| DataDir(dirs.data_dir().to_path_buf()))
            .ok_or_else(|| {
                CoreError::Config(
                    "cannot find a home directory for the data; pass --data-dir DIR or set XVB_DATA_DIR".into(),
                )
            })
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// `config.toml` inside it.
    pub fn config_path(&self) -> PathBuf {
        self.0.join("config.toml")
    }

    /// Where fetched recordings are cached.
    pub fn recordings_path(&self) -> PathBuf {
        self.0.join("recordings")
    }

    /// The SQLite database inside it.
    pub fn database_path(&self) -> PathBuf {
        self.0.join("xvb.sqlite3")
    }

    /// Loads the config, creating it (with a new webhook secret) on first run.
    /// The data dir is made this user's only first (see [`DataDir::make_private`]).
    pub fn load_config(&self) -> Result<Config, CoreError> {
        self.make_private()?;
        let path = self.config_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let mut config: Config = toml::from_str(&text).map_err(|e| {
                    CoreError::Config(format!("{} is not valid: {e}", path.display()))
                })?;
                if config.webhook_secret.len() < 32 {
                    config.webhook_secret = new_secret();
                    self.save_config(&config)?;
                }
                Ok(config)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let config = Config {
                    webhook_secret: new_secret(),
                    ..Config::default()
                };
                self.save_config(&config)?;
                Ok(config)
            }
            Err(e) => Err(CoreError::io(&path, e)),
        }
    }

    /// Creates the data dir readable by this user only (0700 on Unix), or takes
    /// other users' access away from one an earlier version left open, saying so.
    pub fn make_private(&self) -> Result<(), CoreError> {
        let io = |e| CoreError::io(&self.0, e);
        crate::private::create_dir(&self.0).map_err(io)?;
        if crate::private::tighten(&self.0).map_err(io)? {
            tracing::warn!(
                dir = %self.0.display(),
                "the data dir was readable by other users of this computer; it is this user's only now (0700)"
            );
        }
        Ok(())
    }

    /// Writes the config atomically, readable by this user only.
    pub fn save_config(&self, config: &Config) -> Result<(), CoreError> {
        crate::private::create_dir(&self.0).map_err(|e| CoreError::io(&self.0, e))?;
        let path = self.config_path();
        let tmp = path.with_extension("toml.tmp");
        let text = toml::to_string_pretty(config).map_err(|e| CoreError::Config(e.to_string()))?;
        write_private(&tmp, text.as_bytes()).map_err(|e| CoreError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| CoreError::io(&path, e))
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = crate::private::create_file(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_run_creates_a_long_url_safe_secret_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::resolve(Some(dir.path().to_path_buf())).unwrap();
        let first = data.load_config().unwrap();
        assert!(first.webhook_secret.len() >= 32);
        assert!(first
            .webhook_secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(
            data.load_config().unwrap().webhook_secret,
            first.webhook_secret
        );
        assert_ne!(new_secret(), new_secret());
    }
}
