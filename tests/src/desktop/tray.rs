//! A tray host for tests: owns `org.kde.StatusNotifierWatcher` on a private
//! session bus, so the app's tray icon (libayatana-appindicator) registers with
//! it, and reads the icon's menu back over `com.canonical.dbusmenu`, as a
//! desktop's panel does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zbus::zvariant::{OwnedObjectPath, OwnedValue};

/// Where a registered tray item lives: its bus name and object path.
type Item = (String, String);

#[derive(Default)]
struct Watcher {
    items: Arc<Mutex<Vec<Item>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    /// An item registers with its object path (appindicator) or its bus name.
    fn register_status_notifier_item(
        &self,
        service: &str,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        let item = if service.starts_with('/') {
            (sender, service.to_owned())
        } else {
            (service.to_owned(), "/StatusNotifierItem".to_owned())
        };
        self.items.lock().unwrap().push(item);
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items
            .lock()
            .unwrap()
            .iter()
            .map(|(name, path)| format!("{name}{path}"))
            .collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// The running tray host; stops when dropped.
pub struct TrayHost {
    items: Arc<Mutex<Vec<Item>>>,
    connection: zbus::Connection,
}

/// A menu entry as `GetLayout` gives it: id, properties, children.
type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

impl TrayHost {
    /// Connects to the bus at `address` and takes the watcher's name.
    pub async fn start(address: &str) -> TrayHost {
        let watcher = Watcher::default();
        let items = Arc::clone(&watcher.items);
        let connection = super::session::serve_on_bus(
            address,
            "org.kde.StatusNotifierWatcher",
            "/StatusNotifierWatcher",
            watcher,
        )
        .await;
        TrayHost { items, connection }
    }

    async fn proxy(&self, name: &str, path: &str, interface: &'static str) -> zbus::Proxy<'_> {
        zbus::proxy::Builder::new(&self.connection)
            .destination(name.to_owned())
            .and_then(|b| b.path(path.to_owned()))
            .and_then(|b| b.interface(interface))
            .expect("valid names")
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .expect("a proxy")
    }

    /// The newest tray icon's menu (a dbusmenu proxy) and its whole layout.
    async fn menu(&self) -> Option<(zbus::Proxy<'_>, Layout)> {
        let (name, path) = self.items.lock().unwrap().last().cloned()?;
        let item = self.proxy(&name, &path, "org.kde.StatusNotifierItem").await;
        let menu = item.get_property::<OwnedObjectPath>("Menu").await.ok()?;
        let menu = self
            .proxy(&name, menu.as_str(), "com.canonical.dbusmenu")
            .await;
        let (_revision, layout) = menu
            .call::<_, _, (u32, Layout)>("GetLayout", &(0i32, -1i32, vec!["label"]))
            .await
            .ok()?;
        Some((menu, layout))
    }

    /// The labels of the newest tray icon's menu, top level, in order (empty
    /// while no icon has registered).
    pub async fn menu_labels(&self) -> Vec<String> {
        self.menu()
            .await
            .map(|(_, (_, _, children))| entries(children).map(|(_, label, _)| label).collect())
            .unwrap_or_default()
    }

    /// Clicks the top-level menu entry labelled `label`, as a panel does
    /// (dbusmenu's `Event … clicked`).
    pub async fn click(&self, label: &str) {
        let (menu, (_, _, children)) = self.menu().await.expect("a tray menu");
        let (id, _, _) = entries(children)
            .find(|(_, l, _)| l == label)
            .unwrap_or_else(|| panic!("no {label:?} in the tray menu"));
        let data = zbus::zvariant::Value::from(0i32);
        menu.call::<_, _, ()>("Event", &(id, "clicked", data, 0u32))
            .await
            .expect("the menu takes the click");
    }

    /// How many opaque pixels of exactly `colour` the newest tray icon's image
    /// has (0 while no icon has registered); the image is the PNG file the item
    /// names, as a panel loads it.
    pub async fn icon_pixels_of(&self, colour: [u8; 3]) -> usize {
        let Some((name, path)) = self.items.lock().unwrap().last().cloned() else {
            return 0;
        };
        let item = self.proxy(&name, &path, "org.kde.StatusNotifierItem").await;
        let Ok(icon) = item.get_property::<String>("IconName").await else {
            return 0;
        };
        let theme = item
            .get_property::<String>("IconThemePath")
            .await
            .unwrap_or_default();
        let file = [
            icon.clone(),
            format!("{icon}.png"),
            format!("{theme}/{icon}"),
            format!("{theme}/{icon}.png"),
        ]
        .into_iter()
        .find(|f| f.starts_with('/') && std::path::Path::new(f).is_file());
        let Some(file) = file else {
            return 0;
        };
        let Ok(png) = std::fs::File::open(&file) else {
            return 0;
        };
        let Ok(mut reader) = png::Decoder::new(std::io::BufReader::new(png)).read_info() else {
            return 0;
        };
        let mut rgba = vec![0; reader.output_buffer_size().unwrap_or(0)];
        match reader.next_frame(&mut rgba) {
            Ok(frame) if frame.color_type == png::ColorType::Rgba => rgba
                .chunks(4)
                .filter(|p| p[..3] == colour && p[3] == 255)
                .count(),
            _ => 0,
        }
    }

    /// Waits (up to `wait`) until [`TrayHost::icon_pixels_of`] `colour` passes `check`; the count.
    pub async fn wait_for_icon(
        &self,
        wait: Duration,
        what: &str,
        colour: [u8; 3],
        check: impl Fn(usize) -> bool,
    ) -> usize {
        let deadline = Instant::now() + wait;
        loop {
            let pixels = self.icon_pixels_of(colour).await;
            if check(pixels) {
                return pixels;
            }
            assert!(
                Instant::now() < deadline,
                "the tray icon never showed {what} ({pixels} pixels of {colour:?})"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to `wait`) until the menu's first line starts with `prefix`; that line.
    pub async fn wait_for_first_line(&self, wait: Duration, prefix: &str) -> String {
        let deadline = Instant::now() + wait;
        loop {
            let labels = self.menu_labels().await;
            if let Some(first) = labels.first().filter(|l| l.starts_with(prefix)) {
                return first.clone();
            }
            assert!(
                Instant::now() < deadline,
                "the tray menu's first line never started with {prefix:?}; the menu: {labels:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A layout's children as (id, label, their children).
fn entries(children: Vec<OwnedValue>) -> impl Iterator<Item = (i32, String, Vec<OwnedValue>)> {
    children
        .into_iter()
        .filter_map(|child| Layout::try_from(child).ok())
        .map(|(id, properties, children)| {
            let label = properties
                .get("label")
                .and_then(|label| String::try_from(label.clone()).ok())
                .unwrap_or_default();
            (id, label, children)
        })
}
