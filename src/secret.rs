//! Secrets: Shopiko keys and database passwords. A [`Secret`] prints masked through Debug and
//! Display, so it cannot leak into a log line or an error by accident; connection strings are
//! masked by [`mask_connection_string`] wherever they are shown.

use std::fmt;

/// What a secret prints as.
pub const MASK: &str = "••••••";

/// A value that must never be printed: its Debug and Display show [`MASK`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must use it (signing, connecting).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no value is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Read from a server file as plain text.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// Written masked: a serialised setting never carries the secret itself.
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0.is_empty() { "" } else { MASK })
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({MASK})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// Connection-string attributes whose values are secrets.
const SECRET_ATTRIBUTES: &[&str] = &["pwd", "password", "pass", "passwd", "accesstoken", "authentication"];

/// A connection string with every password-like attribute's value replaced by [`MASK`]. Braced
/// values (`Pwd={a;b}`) are handled as one value.
pub fn mask_connection_string(connection: &str) -> String {
    let mut out = String::with_capacity(connection.len());
    let mut rest = connection;
    while !rest.is_empty() {
        // One attribute: key=value up to the next ';' outside braces.
        let (key, after_key) = match rest.split_once('=') {
            Some(pair) => pair,
            None => {
                out.push_str(rest);
                break;
            }
        };
        let value_len = if after_key.trim_start().starts_with('{') {
            let open = after_key.find('{').unwrap_or(0);
            // `}}` inside braces is an escaped brace.
            let bytes = after_key.as_bytes();
            let mut i = open + 1;
            while i < bytes.len() {
                if bytes[i] == b'}' {
                    if bytes.get(i + 1) == Some(&b'}') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            (i + 1).min(after_key.len())
        } else {
            after_key.find(';').unwrap_or(after_key.len())
        };
        // value_len falls after an ASCII '}' or ';' or at the end: a character boundary.
        let (value, after_value) = after_key.split_at_checked(value_len).unwrap_or((after_key, ""));
        out.push_str(key);
        out.push('=');
        let is_secret = SECRET_ATTRIBUTES.contains(&key.trim().to_lowercase().as_str());
        if is_secret && !value.is_empty() {
            out.push_str(MASK);
        } else {
            out.push_str(value);
        }
        rest = after_value;
        if let Some(stripped) = rest.strip_prefix(';') {
            out.push(';');
            rest = stripped;
        }
    }
    out
}

/// Every password-like value in a connection string, for scrubbing text a driver wrote.
pub fn connection_secrets(connection: &str) -> Vec<String> {
    let masked = mask_connection_string(connection);
    // Compare attribute by attribute: where the masked one differs, the original holds a secret.
    connection
        .split(';')
        .zip(masked.split(';'))
        .filter(|(a, b)| a != b)
        .filter_map(|(a, _)| a.split_once('=').map(|(_, v)| v.trim_matches(|c| c == '{' || c == '}').to_owned()))
        .filter(|v| !v.is_empty())
        .collect()
}

/// `text` with every occurrence of each secret replaced by [`MASK`].
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(s.as_str(), MASK);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("892b2466d9611628358bfb292745bf3bdadb737");
        assert_eq!(format!("{s}"), MASK);
        assert!(!format!("{s:?}").contains("892b"));
        assert_eq!(s.expose(), "892b2466d9611628358bfb292745bf3bdadb737");
        assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{MASK}\""));
        let read: Secret = serde_json::from_str("\"k1\"").unwrap();
        assert_eq!(read.expose(), "k1");
    }

    #[test]
    fn connection_strings_are_masked() {
        assert_eq!(
            mask_connection_string("Driver={MariaDB Unicode};Server=h;Uid=wh;Pwd=s3cret;"),
            format!("Driver={{MariaDB Unicode}};Server=h;Uid=wh;Pwd={MASK};")
        );
        assert_eq!(mask_connection_string("DSN=x;PASSWORD={a;b}}c};UID=u"), format!("DSN=x;PASSWORD={MASK};UID=u"));
        assert_eq!(mask_connection_string("DSN=shop"), "DSN=shop");
    }

    #[test]
    fn secrets_are_found_and_scrubbed() {
        let conn = "Driver=x;Uid=u;Pwd=hunter22;";
        let secrets = connection_secrets(conn);
        assert_eq!(secrets, vec!["hunter22".to_owned()]);
        assert_eq!(scrub("login failed for hunter22", &secrets), format!("login failed for {MASK}"));
    }
}
