#![cfg(all(
    feature = "genauth",
    feature = "tencent-ciam",
    feature = "huawei-oneaccess",
    feature = "feishu",
    feature = "github"
))]
//! Keeps docs/configuration.md true: every TOML, JSON and environment example in it must load
//! and build, and every error example must fail with exactly the message printed below it.
//!
//! Conventions in the document: a fenced block preceded by `<!-- expect-error -->` is an error
//! example, and the next `text` block is its message; `<!-- skip-check ... -->` marks a block
//! that is not a tokenbridge configuration. Valid examples are built with every environment
//! variable set; error examples with none.

use tokenbridge::adapter::HttpSettings;
use tokenbridge::kinds::{built_in, BUILT_IN};
use tokenbridge::{Config, Error, Registry, TokenExchanger};

const DOC: &str = include_str!("../docs/configuration.md");

/// One fenced block and the HTML comment right above it, if any.
#[derive(Debug)]
struct Block {
    lang: String,
    body: String,
    marker: Option<String>,
    line: usize,
}

fn blocks() -> Vec<Block> {
    let mut out = Vec::new();
    let mut last_line: Option<&str> = None;
    let mut lines = DOC.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let mut body = String::new();
            for (_, inner) in lines.by_ref() {
                if inner.starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            let marker = last_line
                .and_then(|l| l.trim().strip_prefix("<!--"))
                .and_then(|l| l.strip_suffix("-->"))
                .map(|l| l.trim().to_owned());
            out.push(Block {
                lang: lang.trim().to_owned(),
                body,
                marker,
                line: number + 1,
            });
            last_line = None;
        } else if !line.trim().is_empty() {
            last_line = Some(line);
        }
    }
    out
}

fn is_skipped(block: &Block) -> bool {
    block
        .marker
        .as_deref()
        .is_some_and(|m| m.starts_with("skip-check"))
}

fn is_error_example(block: &Block) -> bool {
    block.marker.as_deref() == Some("expect-error")
}

fn every_variable_set() -> Registry {
    Registry::new().with_env(|var| Some(format!("value-of-{var}")))
}

fn no_variable_set() -> Registry {
    Registry::new().with_env(|_| None)
}

/// Builds every provider; returns how many had a custom kind (which must be refused as
/// unknown until registered).
fn build_every_provider(config: &Config, line: usize) -> usize {
    let registry = every_variable_set();
    let mut custom = 0;
    for name in config.provider_names() {
        let kind = config.provider(name).unwrap().kind.clone();
        let built = registry.build(config, name);
        if built_in(&kind).is_some() || config.declared_vendor(&kind).is_some() {
            let exchanger = built
                .unwrap_or_else(|e| panic!("line {line}: provider {name} does not build: {e}"));
            assert_eq!(exchanger.provider_id(), name, "line {line}");
        } else {
            custom += 1;
            match built {
                Err(Error::Config { key: Some(key), .. }) => {
                    assert_eq!(key, format!("providers.{name}.kind"), "line {line}")
                }
                other => panic!(
                    "line {line}: custom kind {kind:?} built without registration: {other:?}"
                ),
            }
        }
    }
    custom
}

#[test]
fn every_toml_example_loads_and_builds() {
    let mut checked = 0;
    let mut custom = 0;
    for block in blocks() {
        if block.lang != "toml" || is_skipped(&block) || is_error_example(&block) {
            continue;
        }
        let config = Config::from_toml_str(&block.body)
            .unwrap_or_else(|e| panic!("line {}: {e}\n{}", block.line, block.body));
        assert!(
            config.provider_names().next().is_some(),
            "line {}: no provider",
            block.line
        );
        custom += build_every_provider(&config, block.line);
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} TOML examples found");
    assert!(custom >= 1, "the custom-kind example is missing");
}

#[test]
fn every_kind_has_a_complete_example() {
    let mut kinds = Vec::new();
    for block in blocks() {
        if block.lang == "toml" && !is_skipped(&block) && !is_error_example(&block) {
            let config = Config::from_toml_str(&block.body).unwrap();
            for name in config.provider_names() {
                kinds.push(config.provider(name).unwrap().kind.clone());
            }
        }
    }
    for kind in BUILT_IN {
        assert!(
            kinds.iter().any(|k| k == kind.name),
            "no example of {}",
            kind.name
        );
    }
}

/// Every built-in kind has its page, which this document links, its value in the `kind` row
/// and, when it has a Cargo feature, its row in the features table.
#[test]
fn every_kind_is_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let kind_row = DOC
        .lines()
        .find(|line| line.starts_with("| `kind` |"))
        .expect("the `kind` row of the key table");
    for kind in BUILT_IN {
        assert_eq!(kind.docs, format!("docs/providers/{}.md", kind.name));
        assert!(root.join(kind.docs).is_file(), "{} is missing", kind.docs);
        let link = format!("]({})", kind.docs.trim_start_matches("docs/"));
        assert!(
            DOC.contains(&link),
            "configuration.md does not link {}",
            kind.docs
        );
        assert!(
            kind_row.contains(&format!("`\"{}\"`", kind.name)),
            "the `kind` row does not list {}: {kind_row}",
            kind.name
        );
        if let Some(feature) = kind.feature {
            let row = format!("| `{feature}` | `{}` |", kind.name);
            assert!(DOC.contains(&row), "no Cargo features row {row}");
        }
    }
}

#[test]
fn every_error_example_fails_with_the_message_shown() {
    let all = blocks();
    let mut checked = 0;
    for (i, block) in all.iter().enumerate() {
        if !is_error_example(block) {
            continue;
        }
        assert_eq!(block.lang, "toml", "line {}", block.line);
        let expected = all[i + 1..]
            .iter()
            .find(|b| b.lang == "text")
            .unwrap_or_else(|| panic!("line {}: no message block after it", block.line));
        let result = Config::from_toml_str(&block.body)
            .and_then(|config| no_variable_set().build_all(&config).map(|_| ()));
        let err = result.expect_err(&format!("line {}: the example must fail", block.line));
        assert!(
            matches!(err, Error::Config { .. }),
            "line {}: {err:?}",
            block.line
        );
        assert_eq!(
            err.to_string(),
            expected.body.trim(),
            "line {}: the message differs from the document",
            block.line
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} error examples found");
}

#[test]
fn the_json_example_has_the_same_keys() {
    let mut checked = 0;
    for block in blocks().iter().filter(|b| b.lang == "json") {
        let config = Config::from_json_str(&block.body)
            .unwrap_or_else(|e| panic!("line {}: {e}", block.line));
        assert_eq!(build_every_provider(&config, block.line), 0);
        checked += 1;
    }
    assert_eq!(checked, 1);
}

#[test]
fn the_environment_example_equals_its_toml() {
    let all = blocks();
    let (i, env_block) = all
        .iter()
        .enumerate()
        .find(|(_, b)| b.lang == "sh")
        .expect("an environment example");
    let vars: Vec<(String, String)> = env_block
        .body
        .lines()
        .filter_map(|l| l.trim().trim_start_matches("export ").split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert!(vars.iter().all(|(k, _)| k.starts_with("TOKENBRIDGE__")));
    let from_env = Config::from_env_vars(vars).unwrap();
    let toml = &all[i + 1];
    assert_eq!(
        toml.lang, "toml",
        "the TOML equivalent follows the environment example"
    );
    assert_eq!(from_env, Config::from_toml_str(&toml.body).unwrap());
    build_every_provider(&from_env, env_block.line);
}

#[test]
fn documented_http_defaults_are_the_real_ones() {
    let http = HttpSettings::default().to_http_config();
    assert_eq!(http.connect_timeout, std::time::Duration::from_secs(10));
    assert_eq!(http.timeout, std::time::Duration::from_secs(30));
    assert_eq!(http.max_body_bytes, 1_048_576);
    for documented in [
        "| `connect_timeout_secs` | `10` |",
        "| `timeout_secs` | `30` |",
        "| `max_body_bytes` | `1048576` (1 MiB) |",
    ] {
        assert!(DOC.contains(documented), "{documented}");
    }
}
