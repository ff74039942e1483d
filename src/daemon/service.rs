//! `obmen service install|uninstall|status [--user] [--dry-run]`: autostart on boot as a systemd
//! unit running `obmen daemon` (`Type=notify`: the daemon says when it is ready and when it is
//! stopping, and that it is alive twice a `WatchdogSec`: a hung daemon is restarted). A user unit (`--user`) lives in `~/.config/systemd/user/`, a system one in
//! `/etc/systemd/system/`. On Windows a service would take this module's place; none is built.
//!
//! The unit caps glibc's malloc arenas at two (`MALLOC_ARENA_MAX=2`): with one arena per busy
//! thread, 50 servers importing at once kept ever more memory after each round (docs/BENCHMARKS-history.md).

use std::path::{Path, PathBuf};

/// The unit's file name.
pub const UNIT: &str = "obmen.service";

/// Where a unit is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The user's own systemd (`systemctl --user`).
    User,
    /// The system's.
    System,
}

/// The unit's file in a scope.
pub fn unit_path(scope: Scope) -> Option<PathBuf> {
    match scope {
        Scope::System => Some(PathBuf::from("/etc/systemd/system").join(UNIT)),
        Scope::User => {
            let config =
                std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
            Some(config.join("systemd/user").join(UNIT))
        }
    }
}

/// One word of a systemd command line: quoted where it must be, `%` doubled.
pub fn quote(word: &str) -> String {
    let escaped = word.replace('%', "%%");
    if !escaped.is_empty() && escaped.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c)) {
        return escaped;
    }
    let mut out = String::from("\"");
    for c in escaped.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The unit that runs `obmen daemon` for this home.
pub fn unit(exe: &Path, home: &Path, scope: Scope, stop_timeout_secs: u32, lang: crate::config::Lang, user: Option<&str>) -> String {
    let exec = [exe.display().to_string(), "--home".into(), home.display().to_string(), "daemon".into()].iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ");
    let wanted_by = match scope {
        Scope::User => "default.target",
        Scope::System => "multi-user.target",
    };
    let user_line = match (scope, user) {
        (Scope::System, Some(u)) if u != "root" => format!("User={u}\n"),
        _ => String::new(),
    };
    let lang = lang.code();
    // A user's manager has no network-online.target: only a system unit waits for it.
    let network = match scope {
        Scope::System => "After=network-online.target\nWants=network-online.target\n",
        Scope::User => "",
    };
    format!(
        "[Unit]\n\
         Description=obmen exchange servers (Warehouse Pro and online shops)\n\
         {network}\
         \n\
         [Service]\n\
         Type=notify\n\
         NotifyAccess=main\n\
         WatchdogSec=60\n\
         {user_line}\
         Environment=OBMEN_LANG={lang}\n\
         Environment=MALLOC_ARENA_MAX=2\n\
         ExecStart={exec}\n\
         Restart=on-failure\n\
         RestartSec=5\n\
         KillMode=mixed\n\
         TimeoutStopSec={}\n\
         UMask=0077\n\
         \n\
         [Install]\n\
         WantedBy={wanted_by}\n",
        stop_timeout_secs + 15
    )
}

/// The `systemctl` command lines an action runs, in order.
pub fn commands(scope: Scope, action: &str) -> Vec<Vec<String>> {
    let base = |rest: &[&str]| {
        let mut v = vec!["systemctl".to_owned()];
        if scope == Scope::User {
            v.push("--user".into());
        }
        v.extend(rest.iter().map(|s| (*s).to_owned()));
        v
    };
    match action {
        "install" => vec![base(&["daemon-reload"]), base(&["enable", "--now", UNIT])],
        "uninstall" => vec![base(&["disable", "--now", UNIT]), base(&["daemon-reload"])],
        _ => vec![base(&["is-enabled", UNIT]), base(&["is-active", UNIT])],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_as_systemd_reads_them() {
        assert_eq!(quote("/usr/bin/obmen"), "/usr/bin/obmen");
        assert_eq!(quote("/home/Иван/obmen home"), "\"/home/Иван/obmen home\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("100%"), "\"100%%\"");
    }

    #[test]
    fn the_unit_stops_after_the_daemons_deadline() {
        let u = unit(Path::new("/usr/bin/obmen"), Path::new("/var/lib/obmen"), Scope::System, 30, crate::config::Lang::Bg, Some("shop"));
        assert!(
            u.contains("Type=notify")
                && u.contains("WatchdogSec=60")
                && u.contains("TimeoutStopSec=45")
                && u.contains("KillMode=mixed")
                && u.contains("Restart=on-failure")
        );
        assert!(u.contains("User=shop") && u.contains("WantedBy=multi-user.target") && u.contains("OBMEN_LANG=bg"));
        assert!(u.contains("ExecStart=/usr/bin/obmen --home /var/lib/obmen daemon"));
        assert!(!unit(Path::new("/o"), Path::new("/h"), Scope::User, 30, crate::config::Lang::En, Some("shop")).contains("User="));
    }
}
