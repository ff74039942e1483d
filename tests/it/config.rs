//! Server files through the `obmen` binary: the invalid-config corpus (each file names the message
//! it must produce), new/show/edit/delete/list/validate, exit codes, 0600 files and masking.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KEY: &str = "892b2466d9611628358bfb292745bf3bdadb737";
const PASSWORD: &str = "pa55-w0rd-xyz";

fn obmen(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_obmen"))
        .args(args)
        .env("OBMEN_HOME", home)
        .env("OBMEN_LANG", "en")
        .env("SHOP_KEY", "a-key-from-the-environment")
        .env_remove("OBMEN_LANG")
        .env_remove("EDITOR")
        .env_remove("VISUAL")
        .output()
        .expect("run obmen")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_configs")
}

/// The server settings every valid test server gets.
fn valid_sets() -> Vec<String> {
    [
        "database.dialect=mysql".to_owned(),
        format!("database.connection=Driver={{MariaDB Unicode}};Server=127.0.0.1;Database=wh;Uid=wh;Pwd={PASSWORD}"),
        "rules.object=Централен Склад".to_owned(),
        "shopiko.url=https://shop.example.bg/api".to_owned(),
        "shopiko.api_id=3267435611954348033".to_owned(),
        format!("shopiko.key={KEY}"),
    ]
    .into_iter()
    .flat_map(|s| ["--set".to_owned(), s])
    .collect()
}

fn new_server(home: &Path, name: &str) -> Output {
    let mut args = vec!["server".to_owned(), "new".to_owned(), name.to_owned(), "--kind".to_owned(), "WarehousePro Import Export Shopiko".to_owned()];
    args.extend(valid_sets());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    obmen(home, &args)
}

#[test]
fn every_invalid_config_fails_with_its_message_and_exit_78() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 15, "the corpus has {} files", files.len());
    for file in files {
        let body = std::fs::read_to_string(&file).unwrap();
        let expect = body.lines().next().and_then(|l| l.strip_prefix("# expect: ")).unwrap_or_else(|| panic!("{}: no '# expect:' line", file.display()));
        let home = tempfile::tempdir().unwrap();
        let servers = home.path().join("servers");
        std::fs::create_dir_all(&servers).unwrap();
        let target = servers.join("Shopiko.toml");
        std::fs::copy(&file, &target).unwrap();
        let o = obmen(home.path(), &["server", "validate", "Shopiko"]);
        let (stdout, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(78), "{}: exit {:?}\n{stdout}{stderr}", file.display(), o.status);
        let wanted = format!("{}: {expect}", target.display());
        assert!(stderr.contains(&wanted), "{}:\nwanted: {wanted}\nstderr: {stderr}", file.display());
        for secret in ["change-me", "hunter2", "892b2466d9611628"] {
            assert!(!stderr.contains(secret) && !stdout.contains(secret), "{}: a secret was printed: {stderr}", file.display());
        }
        // `show` of an invalid server is a configuration error too.
        assert_eq!(obmen(home.path(), &["server", "show", "Shopiko"]).status.code(), Some(78), "{}", file.display());
    }
}

#[test]
fn the_example_servers_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("servers");
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("servers")).unwrap();
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, home.path().join("servers").join(path.file_name().unwrap())).unwrap();
            n += 1;
        }
    }
    assert!(n >= 1);
    // Their keys come from the environment, as a service's would.
    let o = Command::new(env!("CARGO_BIN_EXE_obmen"))
        .args(["server", "validate"])
        .env("OBMEN_HOME", home.path())
        .env("OBMEN_LANG", "en")
        .env("SHOPIKO_KEY", "k")
        .env("BASELINKER_TOKEN", "t")
        .output()
        .unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
}

#[test]
fn invalid_utf8_names_the_line_and_a_dangling_link_is_reported() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(new_server(h, "Shopiko").status.success());
    let file = h.join("servers/Shopiko.toml");
    let mut bytes = std::fs::read(&file).unwrap();
    let third = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).unwrap().0 + 1;
    bytes.splice(third..third, [b'#', 0xd0, 0x28, b'\n']);
    std::fs::write(&file, &bytes).unwrap();
    let o = obmen(h, &["server", "validate"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(78), "{err}");
    assert!(err.contains("line 3: this is not UTF-8 text"), "{err}");
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(h.join("elsewhere/Shopiko.toml"), &file).unwrap();
    let o = obmen(h, &["server", "validate"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(78), "{err}");
    assert!(err.contains("is a link to") && err.contains("which does not exist"), "{err}");
}

#[test]
fn a_key_file_others_may_read_is_refused_with_the_chmod_to_run() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(new_server(h, "Shopiko").status.success());
    let key = h.join("shop.key");
    std::fs::write(&key, "892b2466d9611628358bfb292745bf3bdadb737\n").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = obmen(h, &["server", "edit", "Shopiko", "--set", "shopiko.key_file=shop.key", "--unset", "shopiko.key"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(78), "{err}");
    assert!(err.contains("shopiko.key_file") && err.contains("mode 644") && err.contains(&format!("chmod 600 {}", key.display())), "{err}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(obmen(h, &["server", "edit", "Shopiko", "--set", "shopiko.key_file=shop.key", "--unset", "shopiko.key"]).status.success());
    // A key file that others can read again is refused by validate and by a run, with exit 78.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = obmen(h, &["server", "validate", "Shopiko"]);
    assert_eq!(o.status.code(), Some(78), "{:?}", text(&o));
    let o = obmen(h, &["run", "Shopiko", "--import"]);
    assert_eq!(o.status.code(), Some(78), "{:?}", text(&o));
    // Empty, and not text.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(&key, "\n").unwrap();
    assert!(text(&obmen(h, &["server", "validate", "Shopiko"])).1.contains("is empty"));
    std::fs::write(&key, [0xff, 0xfe, 0x00, 0x01]).unwrap();
    assert!(text(&obmen(h, &["server", "validate", "Shopiko"])).1.contains("is not a text file"));
}

#[test]
fn new_show_edit_delete_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let o = new_server(h, "Shopiko");
    assert!(o.status.success(), "{:?}", text(&o));
    let file = h.join("servers/Shopiko.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // The file holds the secrets (it is the configuration), and nothing printed does.
    assert!(std::fs::read_to_string(&file).unwrap().contains(KEY));
    for args in [
        vec!["server", "show", "Shopiko"],
        vec!["server", "show", "Shopiko", "--json"],
        vec!["server", "list", "--json"],
        vec!["server", "list"],
        vec!["server", "show", "Shopiko", "--lang", "bg"],
    ] {
        let o = obmen(h, &args);
        assert!(o.status.success(), "{args:?}");
        let (out, err) = text(&o);
        for secret in [KEY, PASSWORD] {
            assert!(!out.contains(secret) && !err.contains(secret), "{args:?} printed a secret:\n{out}{err}");
        }
    }
    let (shown, _) = text(&obmen(h, &["server", "show", "Shopiko"]));
    assert!(shown.contains("3.0 Exchange rules") && shown.contains("Централен Склад") && shown.contains("Pwd=••••••"), "{shown}");
    let (bg, _) = text(&obmen(h, &["server", "show", "Shopiko", "--lang", "bg"]));
    assert!(bg.contains("3.0.Правила за обмен") && bg.contains("При стартиране на сървъра") && bg.contains("API Идентификатор"), "{bg}");
    let json: serde_json::Value = serde_json::from_slice(&obmen(h, &["server", "show", "Shopiko", "--json"]).stdout).unwrap();
    assert_eq!(json["settings"]["rules.import"], "on_start");
    assert_eq!(json["settings"]["shopiko.key"], "••••••");

    // Edit: typed values, comments kept, invalid changes refused with nothing written.
    let before = std::fs::read_to_string(&file).unwrap();
    let o = obmen(h, &["server", "edit", "Shopiko", "--set", "autostart=да", "--set", "rules.import=periodic", "--set", "rules.import_every_min=5"]);
    assert!(o.status.success(), "{:?}", text(&o));
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(after.contains("autostart = true  # Autostart / Автостарт"), "{after}");
    assert!(after.contains("import_every_min = 5"), "{after}");
    let o = obmen(h, &["server", "edit", "Shopiko", "--set", "rules.import=weekly", "--set", "rules.imprt=x", "--set", "autostart=perhaps"]);
    assert_eq!(o.status.code(), Some(78));
    let (_, err) = text(&o);
    assert!(err.contains("rules.imprt: unknown key: did you mean 'rules.import'?"), "{err}");
    assert!(err.contains("autostart: 'perhaps' is not true or false"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after, "a refused edit writes nothing");
    assert_ne!(before, after);
    let o = obmen(h, &["server", "edit", "Shopiko", "--set", "kind=Other"]);
    assert_eq!(o.status.code(), Some(78));
    // Switch the key to an environment variable.
    let o = obmen(h, &["server", "edit", "Shopiko", "--set", "shopiko.key_env=SHOP_KEY", "--unset", "shopiko.key"]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(!std::fs::read_to_string(&file).unwrap().contains(KEY));

    let (list, _) = text(&obmen(h, &["server", "list"]));
    assert!(list.contains("Shopiko") && list.contains("yes") && list.contains("ok"), "{list}");

    // Delete keeps a copy.
    let o = obmen(h, &["server", "delete", "Shopiko"]);
    assert!(o.status.success());
    assert!(!file.exists());
    assert_eq!(std::fs::read_dir(h.join("servers/deleted")).unwrap().count(), 1);
    let (list, _) = text(&obmen(h, &["server", "list"]));
    assert!(list.starts_with("No servers"), "{list}");
}

#[test]
fn exit_codes_follow_the_contract() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // Usage errors: 2.
    assert_eq!(obmen(h, &["server", "frobnicate"]).status.code(), Some(2));
    assert_eq!(obmen(h, &["server", "new", "X", "--kind", "warehouse_pro_shopiko", "--set", "novalue"]).status.code(), Some(2));
    assert_eq!(obmen(h, &["server", "edit", "Y"]).status.code(), Some(1), "no such server");
    // A new server missing required settings: 78, every missing field named, nothing written.
    let o = obmen(h, &["server", "new", "Shopiko", "--kind", "WarehousePro Import Export Shopiko"]);
    assert_eq!(o.status.code(), Some(78));
    let (_, err) = text(&o);
    for field in ["database.connection: missing", "database.dialect: missing", "rules.object: missing", "shopiko.url: missing", "shopiko.key: missing"] {
        assert!(err.contains(field), "{field} in {err}");
    }
    assert!(!h.join("servers/Shopiko.toml").exists());
    assert_eq!(obmen(h, &["server", "new", "S", "--kind", "Unknown Kind"]).status.code(), Some(78));
    assert_eq!(obmen(h, &["server", "new", "a/b", "--kind", "warehouse_pro_shopiko"]).status.code(), Some(78));
    // Twice the same name: 1.
    assert!(new_server(h, "Shopiko").status.success());
    assert_eq!(new_server(h, "Shopiko").status.code(), Some(1));
    assert_eq!(obmen(h, &["server", "validate"]).status.code(), Some(0));
    // An editor that breaks the file: 78, the file stays as it was.
    let file = h.join("servers/Shopiko.toml");
    let before = std::fs::read_to_string(&file).unwrap();
    let edit_with = |editor: &str| {
        Command::new(env!("CARGO_BIN_EXE_obmen"))
            .args(["server", "edit", "Shopiko"])
            .env("OBMEN_HOME", h)
            .env("OBMEN_LANG", "en")
            .env("EDITOR", editor)
            .output()
            .unwrap()
    };
    let o = edit_with("sed -i s/on_start/sometimes/");
    assert_eq!(o.status.code(), Some(78), "{:?}", text(&o));
    assert!(text(&o).1.contains("rules.import: 'sometimes' is not one of the choices"), "{:?}", text(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    // The invalid edit is kept for the user, outside servers/: no phantom server, validate green.
    assert!(h.join("edits/Shopiko.toml").exists());
    let o = obmen(h, &["server", "list"]);
    assert!(!text(&o).0.contains("edit"), "{:?}", text(&o));
    assert_eq!(obmen(h, &["server", "validate"]).status.code(), Some(0));
    // A hidden copy an earlier obmen left in servers/ is no server either.
    std::fs::write(h.join("servers/.Shopiko.edit.toml"), "broken").unwrap();
    assert_eq!(obmen(h, &["server", "validate"]).status.code(), Some(0), "{:?}", text(&obmen(h, &["server", "validate"])));
    // An editor that fails, or cannot be run: nothing saved, nothing left behind.
    std::fs::remove_file(h.join("edits/Shopiko.toml")).unwrap();
    for editor in ["false", "no-such-editor-here"] {
        let o = edit_with(editor);
        assert_eq!(o.status.code(), Some(1), "{editor}: {:?}", text(&o));
        assert!(text(&o).1.contains("nothing was saved") || text(&o).1.contains("ended with"), "{editor}: {:?}", text(&o));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
        assert!(!h.join("edits/Shopiko.toml").exists(), "{editor}: the copy is gone");
    }
    // An editor given with arguments and a quoted path, run by the shell as git runs it.
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("my editor.sh");
    std::fs::write(&script, "#!/bin/sh\n[ \"$1\" = --wait ] || exit 3\nsed -i s/on_start/periodic/ \"$2\"\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let o = edit_with(&format!("'{}' --wait", script.display()));
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(std::fs::read_to_string(&file).unwrap().contains("import = \"periodic\""));
    // No EDITOR, no VISUAL: the first of nano and vi on PATH (here a stand-in named nano).
    let bin = tempfile::tempdir().unwrap();
    std::fs::write(bin.path().join("nano"), "#!/bin/sh\nsed -i s/periodic/on_start/ \"$1\"\n").unwrap();
    std::fs::set_permissions(bin.path().join("nano"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let o = Command::new(env!("CARGO_BIN_EXE_obmen"))
        .args(["server", "edit", "Shopiko"])
        .env("OBMEN_HOME", h)
        .env("OBMEN_LANG", "en")
        .env_remove("EDITOR")
        .env_remove("VISUAL")
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(std::fs::read_to_string(&file).unwrap().contains("import = \"on_start\""));
}

#[test]
fn warehouse_init_makes_a_demo_database_and_refuses_a_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("wh.db");
    let conn = format!("Driver=SQLite3;Database={};", db.display());
    let o = obmen(dir.path(), &["warehouse", "init", "--connection", &conn, "--demo-data", "30"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}{err}");
    assert!(out.contains("30 goods") && out.contains("2 objects"), "{out}");
    let o = obmen(dir.path(), &["warehouse", "init", "--connection", &conn]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("already has a goods table"), "{:?}", text(&o));
    // A connection whose driver says nothing of the dialect needs --dialect.
    let o = obmen(dir.path(), &["warehouse", "init", "--connection", "DSN=nothing"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn warehouse_init_connects_by_dsn() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dsn.db");
    let ini = dir.path().join("odbc.ini");
    std::fs::write(&ini, format!("[obmen_test_wh]\nDriver = SQLite3\nDatabase = {}\n", db.display())).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_obmen"))
        .args(["warehouse", "init", "--connection", "DSN=obmen_test_wh", "--dialect", "sqlite", "--demo-data", "3"])
        .env("OBMEN_HOME", dir.path())
        .env("OBMEN_LANG", "en")
        .env("ODBCINI", &ini)
        .output()
        .unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(text(&o).0.contains("3 goods"), "{:?}", text(&o));
    assert!(db.exists(), "the DSN's database file was made");
}

#[test]
fn server_list_lines_up_cyrillic_names() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    for name in ["Магазин София", "Shop"] {
        let o = new_server(h, name);
        assert!(o.status.success(), "{name}: {:?}", text(&o));
    }
    let o = obmen(h, &["server", "list"]);
    let (out, _) = text(&o);
    // Every row's KIND column starts at the same screen column as the header's.
    let column = |line: &str, word: &str| line.find(word).map(|b| line.get(..b).unwrap_or_default().chars().count());
    let lines: Vec<&str> = out.lines().collect();
    let header = column(lines[0], "KIND");
    assert!(header.is_some() && lines[1..].iter().all(|l| column(l, "WarehousePro") == header), "{out}");
}

/// Utility Center's own spellings: the kind as Microinvest's guide writes it, choices by their
/// Bulgarian labels, weekdays in Bulgarian; each written to the file in its one canonical form.
/// `obmen kinds show` lists every key of the profile, in both languages.
#[test]
fn utility_centers_words_are_understood_and_written_canonically() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let mut args: Vec<String> = ["server", "new", "Shop", "--kind", "Warehouse Pro Import Export Shopiko"].iter().map(|s| s.to_string()).collect();
    args.extend(valid_sets());
    args.extend(
        ["--set", "rules.import=Не стартирай", "--set", "rules.export=При стартиране на сървъра", "--set", "rules.weekdays=пон-пет", "--set", "autostart=Да"]
            .iter()
            .map(|s| s.to_string()),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = obmen(h, &args);
    assert!(o.status.success(), "{:?}", text(&o));
    let file = std::fs::read_to_string(h.join("servers/Shop.toml")).unwrap();
    for written in
        ["kind = \"WarehousePro Import Export Shopiko\"", "import = \"never\"", "export = \"on_start\"", "weekdays = \"mon-fri\"", "autostart = true"]
    {
        assert!(file.contains(written), "{written}: {file}");
    }
    // A label written into the file by hand is refused with the value to write.
    std::fs::write(h.join("servers/Shop.toml"), file.replace("import = \"never\"", "import = \"Не стартирай\"")).unwrap();
    let o = obmen(h, &["server", "validate", "Shop"]);
    assert_eq!(o.status.code(), Some(78));
    assert!(text(&o).1.contains("write 'never' for it"), "{:?}", text(&o));

    let o = obmen(h, &["kinds"]);
    assert!(o.status.success() && text(&o).0.contains("warehouse_pro_shopiko"), "{:?}", text(&o));
    for (id, kind) in [("warehouse_pro_shopiko", "WAREHOUSEPRO import export shopiko"), ("warehouse_pro_baselinker", "warehouseprO Import Export baselinker")] {
        let profile = obmen::config::profile::find(id).unwrap();
        for lang in obmen::config::Lang::ALL {
            let o = obmen(h, &["--lang", lang.code(), "kinds", "show", kind]);
            let (out, err) = text(&o);
            assert!(o.status.success(), "{err}");
            for prop in &profile.properties {
                assert!(out.contains(&format!("  {}  ", prop.key)), "{lang:?}: {} missing", prop.key);
                assert!(out.contains(prop.help.get(*lang)), "{lang:?}: help of {}", prop.key);
            }
        }
    }
    let profile = obmen::config::profile::find("warehouse_pro_shopiko").unwrap();
    let o = obmen(h, &["kinds", "show", "warehouse_pro_shopiko", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["properties"].as_array().map(Vec::len), Some(profile.properties.len()));
    assert_eq!(obmen(h, &["kinds", "show", "BaseLinker"]).status.code(), Some(2));
}

/// Validation speaks the language too: the same file and field, in Bulgarian words.
#[test]
fn validation_errors_in_bulgarian() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(new_server(h, "Shop").status.success());
    let file = h.join("servers/Shop.toml");
    let broken = std::fs::read_to_string(&file).unwrap().replace("[rules]", "[rules]\nimprt = 1").replace("import = \"on_start\"", "import = \"weekly\"");
    std::fs::write(&file, broken).unwrap();
    let o = obmen(h, &["--lang", "bg", "server", "validate", "Shop"]);
    assert_eq!(o.status.code(), Some(78));
    let err = text(&o).1;
    assert!(err.contains("Shop.toml: rules.imprt: непознат ключ: може би 'rules.import'?"), "{err}");
    assert!(err.contains("Shop.toml: rules.import: 'weekly' не е сред възможностите: never, on_start, delayed, periodic"), "{err}");
}

/// The shop's currency is three capital letters; anything else names the file and the field.
#[test]
fn a_shop_currency_that_is_no_code_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    assert!(new_server(h, "Shop").status.success());
    let file = h.join("servers/Shop.toml");
    let good = std::fs::read_to_string(&file).unwrap();
    let line = "\ncurrency = \"EUR\"  # Shop currency / Валута на магазина\n";
    assert!(good.contains(line), "a new server says its shop's currency: {good}");
    for (code, ok) in [("BGN", true), ("eur", false), ("лв.", false), ("EURO", false), ("", false)] {
        std::fs::write(&file, good.replace(line, &format!("\ncurrency = \"{code}\"\n"))).unwrap();
        let o = obmen(h, &["server", "validate", "Shop"]);
        let err = text(&o).1;
        if ok {
            assert!(o.status.success(), "{code}: {err}");
        } else {
            assert_eq!(o.status.code(), Some(78), "{code}: {err}");
            assert!(err.contains(&format!("Shop.toml: shopiko.currency: '{code}' is no currency code")), "{err}");
        }
    }
}

/// Generated files beside the corpus: Cyrillic, emoji, control characters, invalid UTF-8 and a
/// megabyte value, each in a valid file's place. `validate`, `show` and `list` give exit 78 (or
/// 0 for `list`) naming the file, and the field where there is one; nothing panics (exit 101).
#[test]
fn generated_hostile_files_are_refused_without_a_panic() {
    let corpus = corpus_dir().join("01_unknown_key.toml");
    let valid = std::fs::read_to_string(&corpus).unwrap().replace("imprt = ", "import = ").lines().skip(1).collect::<Vec<_>>().join("\n");
    let big = "Я".repeat(1 << 19);
    let cases: Vec<(Vec<u8>, Option<&str>)> = vec![
        (valid.replace("\"on_start\"", "\"При стартиране 🙂\"").into_bytes(), Some("rules.import")),
        (valid.replace("\"3267435611954348033\"", "\"🙂🙂🙂\"").into_bytes(), Some("shopiko.api_id")),
        (valid.replace("\"mon-sun\"", "\"пон-🙂\"").into_bytes(), Some("rules.weekdays")),
        (valid.replace("\"00:00-24:00\"", "\"Ж8:00-20:00\"").into_bytes(), Some("rules.hours")),
        (valid.replace("\"Централен Склад\"", &format!("\"{big}\"")).into_bytes(), Some("rules.object")),
        (valid.replace("\"Централен Склад\"", "\"a\\u0000b\"").into_bytes(), Some("rules.object")),
        ([valid.as_bytes(), b"\nextra = \"\xff\xfe\"\n"].concat(), None),
        (vec![0xff; 4096], None),
        (format!("{valid}\n[{}]\nx = 1\n", "я".repeat(10_000)).into_bytes(), None),
    ];
    for (n, (bytes, field)) in cases.into_iter().enumerate() {
        let home = tempfile::tempdir().unwrap();
        let servers = home.path().join("servers");
        std::fs::create_dir_all(&servers).unwrap();
        let target = servers.join("Shopiko.toml");
        std::fs::write(&target, &bytes).unwrap();
        for args in [&["server", "validate", "Shopiko"][..], &["server", "show", "Shopiko"], &["server", "list"]] {
            let o = obmen(home.path(), args);
            let (_, stderr) = text(&o);
            assert_ne!(o.status.code(), Some(101), "case {n} {args:?} panicked: {stderr}");
            if args[1] == "list" {
                assert_eq!(o.status.code(), Some(0), "case {n}: {stderr}");
                continue;
            }
            assert_eq!(o.status.code(), Some(78), "case {n} {args:?}: {}", stderr.chars().take(300).collect::<String>());
            assert!(stderr.contains(&target.display().to_string()), "case {n}: names the file: {}", stderr.chars().take(300).collect::<String>());
            if let Some(field) = field {
                assert!(stderr.contains(&format!("Shopiko.toml: {field}:")), "case {n}: names {field}: {}", stderr.chars().take(300).collect::<String>());
            }
        }
    }
}

/// A server file that is a link to a file that is gone is named as such, with the link and where
/// it points, as a configuration error (exit 78) by every command that reads it; `server list`
/// lists it as invalid.
#[test]
fn a_server_file_that_is_a_dangling_link_is_named_as_such() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::create_dir_all(h.join("servers")).unwrap();
    std::os::unix::fs::symlink(h.join("moved-away.toml"), h.join("servers/Ghost.toml")).unwrap();
    for args in [
        &["run", "Ghost"][..],
        &["server", "show", "Ghost"],
        &["server", "validate", "Ghost"],
        &["check", "Ghost"],
        &["server", "edit", "Ghost", "--set", "autostart=false"],
    ] {
        let o = obmen(h, args);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(78), "{args:?}: {out}{err}");
        let said = format!("{out}{err}");
        assert!(said.contains("Ghost.toml") && said.contains("is a link to") && said.contains("moved-away.toml"), "{args:?}: {said}");
    }
    let o = obmen(h, &["server", "list"]);
    assert!(text(&o).0.contains("Ghost"), "{}", text(&o).0);
}
