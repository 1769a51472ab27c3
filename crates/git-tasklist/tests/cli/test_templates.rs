//! `templates`, `create --template NAME|PATH` (built-in, repository, file)
//! and `create --from LIST`.

use serde_json::{Value, json};

use crate::common::{TestRepo, expect_error, stdout};
use crate::session_support::run_code;

const BUILTINS: [&str; 5] = ["bugfix", "feature", "migration", "refactor", "release"];

const DEPLOY: &str = r#"description = "Deploy to production"
title = "Deploy"

[[tasks]]
id = "build"
title = "Build the artifacts"

[[tasks]]
id = "ship"
title = "Ship it"
depends_on = ["build"]
"#;

fn templates_json(repo: &TestRepo) -> Vec<Value> {
    let out = repo.cmd().args(["--json", "templates"]).assert().success().get_output().clone();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["templates"].as_array().unwrap().clone()
}

fn find<'a>(all: &'a [Value], name: &str) -> &'a Value {
    all.iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("no template {name}"))
}

fn repo_templates(repo: &TestRepo) {
    std::fs::create_dir_all(repo.path.join(".tasklist/templates")).unwrap();
}

fn task_summary(v: &Value) -> Vec<(String, String, String, Value, Value, Value)> {
    v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["title"].as_str().unwrap().to_string(),
                t["status"].as_str().unwrap().to_string(),
                t["depends_on"].clone(),
                t["owner"].clone(),
                t["note"].clone(),
            )
        })
        .collect()
}

/// `create ARGS…`; returns the id (the first line of stdout).
fn create(repo: &TestRepo, args: &[&str]) -> String {
    let out = run_code(repo.cmd().arg("create").args(args), 0);
    out.lines().next().unwrap().to_string()
}

fn no_lists(repo: &TestRepo) {
    assert_eq!(repo.git(&["for-each-ref", "refs/tasklists"]), "", "something was written");
}

#[test]
fn templates_lists_the_five_builtins() {
    let repo = TestRepo::new();
    let out = run_code(repo.cmd().arg("templates"), 0);
    for name in BUILTINS {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(line.contains("built-in"), "{out}");
    }
    assert!(
        out.contains("sequential: database-migration → application-migration → data-validation"),
        "{out}"
    );
    let all = templates_json(&repo);
    let names: Vec<&str> = all.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, BUILTINS);
    for t in &all {
        assert_eq!(t["origin"], "built-in");
        assert_eq!(t["sequential"], true, "{t}");
        assert!(!t["description"].as_str().unwrap().is_empty(), "{t}");
        assert!(!t["tasks"].as_array().unwrap().is_empty(), "{t}");
    }
    let ids: Vec<&str> = find(&all, "migration")["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["database-migration", "application-migration", "data-validation"]);
    // A bare repository has no work tree: the built-ins only.
    let bare = TestRepo::new_bare();
    assert_eq!(templates_json(&bare).len(), 5);
}

#[test]
fn every_builtin_creates_a_sequential_list() {
    let repo = TestRepo::new();
    let all = templates_json(&repo);
    for name in BUILTINS {
        let id = create(&repo, &["--template", name]);
        let v = repo.show_json(&id);
        assert_eq!(v["template"], name);
        assert_eq!(v["sequential"], true);
        assert_eq!(v["title"], find(&all, name)["title"], "{name}: default title");
        let ids: Vec<&Value> = v["tasks"].as_array().unwrap().iter().map(|t| &t["id"]).collect();
        let want: Vec<&Value> =
            find(&all, name)["tasks"].as_array().unwrap().iter().map(|t| &t["id"]).collect();
        assert_eq!(ids, want, "{name}");
        assert!(repo.file_at(&id).contains(&format!("\ntemplate = \"{name}\"\n")));
    }
}

#[test]
fn repo_template_is_listed_usable_and_overrides_a_builtin() {
    let repo = TestRepo::new();
    repo_templates(&repo);
    repo.write(".tasklist/templates/deploy.toml", DEPLOY);
    repo.write(
        ".tasklist/templates/migration.toml",
        "description = \"Our own migration\"\ntitle = \"Our migration\"\n[[tasks]]\nid = \"only-step\"\n",
    );
    repo.write(".tasklist/templates/README.txt", "not a template\n");
    let all = templates_json(&repo);
    let names: Vec<&str> = all.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["deploy", "migration", "bugfix", "feature", "refactor", "release"]);
    let deploy = find(&all, "deploy");
    assert!(
        deploy["origin"].as_str().unwrap().ends_with(".tasklist/templates/deploy.toml"),
        "{deploy}"
    );
    assert_eq!(deploy["tasks"][1]["depends_on"], json!(["build"]));
    assert_ne!(find(&all, "migration")["origin"], "built-in");
    let text = run_code(repo.cmd().arg("templates"), 0);
    assert!(text.contains("Deploy to production"), "{text}");
    assert!(text.contains("Our own migration"), "{text}");
    assert!(!text.contains("Database migration: schema"), "{text}");

    let id = create(&repo, &["--template", "deploy"]);
    let v = repo.show_json(&id);
    assert_eq!(v["title"], "Deploy");
    assert_eq!(v["template"], "deploy");
    assert_eq!(v["sequential"], false);
    let tasks = task_summary(&v);
    assert_eq!(tasks[0].0, "build");
    assert_eq!(tasks[1].0, "ship");
    assert_eq!(tasks[1].1, "Ship it");
    assert_eq!(tasks[1].3, json!(["build"]));
    // The dependency is enforced.
    expect_error(repo.cmd().args(["-l", &id, "done", "ship"]), 4);

    let id = repo.create_with("Mine", &[], &["--template", "migration"]);
    let v = repo.show_json(&id);
    assert_eq!(task_summary(&v).len(), 1, "the built-in was used: {v}");
    assert_eq!(v["tasks"][0]["id"], "only-step");

    // From a subdirectory the repository's templates are still found.
    std::fs::create_dir_all(repo.path.join("sub/dir")).unwrap();
    let out = repo
        .cmd_in(&repo.path.join("sub/dir"))
        .args(["create", "--template", "deploy"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id = stdout(&out).lines().next().unwrap().to_string();
    assert_eq!(repo.show_json(&id)["template"], "deploy");
}

#[test]
fn template_from_a_file_path() {
    let repo = TestRepo::new();
    std::fs::create_dir_all(repo.path.join("plans")).unwrap();
    repo.write("plans/deploy.toml", DEPLOY);
    let id = repo.create_with("Path one", &[], &["--template", "./plans/deploy.toml"]);
    assert_eq!(repo.show_json(&id)["template"], "deploy");
    assert_eq!(task_summary(&repo.show_json(&id)).len(), 2);
    repo.write("other.toml", DEPLOY);
    let id = create(&repo, &["--template", "other.toml", "--task", "extra=An extra task"]);
    let v = repo.show_json(&id);
    assert_eq!(v["title"], "Deploy");
    let ids: Vec<String> = task_summary(&v).into_iter().map(|t| t.0).collect();
    assert_eq!(ids, ["build", "ship", "extra"], "--task is appended after the template's tasks");
    let abs = repo.path.join("plans/deploy.toml");
    let id = repo.create_with("Absolute", &[], &["--template", abs.to_str().unwrap()]);
    assert_eq!(task_summary(&repo.show_json(&id)).len(), 2);
    expect_error(repo.cmd().args(["create", "--template", "./plans/missing.toml"]), 3);
}

#[test]
fn template_with_a_bad_task_id_is_a_clear_error_and_writes_nothing() {
    let repo = TestRepo::with_work();
    let before = repo.snapshot();
    repo.write("bad.toml", "description = \"broken\"\n[[tasks]]\nid = \"Bad Id\"\ntitle = \"x\"\n");
    let err = expect_error(repo.cmd().args(["create", "--template", "./bad.toml"]), 1);
    assert!(err.contains("'bad'"), "names the template: {err}");
    assert!(err.contains("bad.toml"), "names the file: {err}");
    assert!(err.contains("Bad Id"), "names the id: {err}");
    no_lists(&repo);
    std::fs::remove_file(repo.path.join("bad.toml")).unwrap();
    assert_eq!(repo.snapshot(), before);

    // The same in the repository's templates: create fails, listing warns.
    repo_templates(&repo);
    repo.write(".tasklist/templates/broken.toml", "[[tasks]]\nid = \"Bad Id\"\n");
    repo.write(".tasklist/templates/deploy.toml", DEPLOY);
    let err = expect_error(repo.cmd().args(["create", "--template", "broken"]), 1);
    assert!(err.contains("broken") && err.contains(".tasklist/templates/broken.toml"), "{err}");
    no_lists(&repo);
    let out = repo.cmd().arg("templates").assert().success().get_output().clone();
    assert!(stdout(&out).contains("deploy"), "a broken template hid the others");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("broken"),
        "no warning for the broken template"
    );
}

#[test]
fn invalid_templates_are_errors() {
    let repo = TestRepo::new();
    let cases = [
        ("typo", "description = \"d\"\ntitel = \"x\"\n[[tasks]]\nid = \"a\"\n", "titel"),
        ("taskkey", "[[tasks]]\nid = \"a\"\nowner = \"me\"\n", "owner"),
        ("dup", "[[tasks]]\nid = \"a\"\n[[tasks]]\nid = \"a\"\n", "twice"),
        ("later", "[[tasks]]\nid = \"a\"\ndepends_on = [\"b\"]\n[[tasks]]\nid = \"b\"\n", "'b'"),
        ("unknown-dep", "[[tasks]]\nid = \"a\"\ndepends_on = [\"zzz\"]\n", "zzz"),
        ("empty", "description = \"nothing\"\n", "tasks"),
        ("notoml", "this is not toml\n", "notoml"),
    ];
    for (name, text, needle) in cases {
        repo.write(&format!("{name}.toml"), text);
        let err = expect_error(
            repo.cmd().args(["create", "T", "--template", &format!("{name}.toml")]),
            1,
        );
        assert!(err.contains(&format!("'{name}'")), "{name}: does not name the template: {err}");
        assert!(err.contains(needle), "{name}: {err}");
    }
    no_lists(&repo);
}

#[test]
fn unknown_template_is_not_found() {
    let repo = TestRepo::new();
    let err = expect_error(repo.cmd().args(["create", "--template", "nope"]), 3);
    assert!(err.contains("nope") && err.contains("migration"), "lists what exists: {err}");
    // clap's own usage error: exit 2.
    repo.cmd().args(["create", "--template", "migration", "--from", "x"]).assert().code(2);
    no_lists(&repo);
}

#[test]
fn create_from_copies_the_plan_reset_to_pending() {
    let repo = TestRepo::new();
    let old = repo.create_with("Database migration", &[], &["--template", "migration"]);
    let s = |args: &[&str]| {
        repo.cmd().env("TASKLIST_SESSION", "s1").arg("-l").arg(&old).args(args).assert().success();
    };
    s(&["done", "database-migration", "--note", "schema v2"]);
    s(&["start", "application-migration", "--note", "half"]);
    s(&["add", "extra", "--title", "Extra check", "--depends-on", "database-migration"]);
    s(&["add", "early", "--title", "Early", "--after", "database-migration"]);
    let before = repo.show_json(&old);

    let out = run_code(repo.cmd().args(["create", "--from", &old[..10]]), 0);
    let new = out.lines().next().unwrap().to_string();
    assert_ne!(new, old);
    let v = repo.show_json(&new);
    assert_eq!(v["from"], old.as_str());
    assert_eq!(v["title"], "Database migration (continued)");
    assert_eq!(v["sequential"], true);
    assert_eq!(v["progress"], json!({"done": 0, "total": 5}));
    let old_tasks = task_summary(&before);
    let new_tasks = task_summary(&v);
    assert_eq!(new_tasks.len(), old_tasks.len());
    for (o, n) in old_tasks.iter().zip(&new_tasks) {
        assert_eq!((&n.0, &n.1, &n.3), (&o.0, &o.1, &o.3), "id, title, order, depends_on");
        assert_eq!(n.2, "pending");
        assert_eq!(n.4, Value::Null, "owner cleared");
        assert_eq!(n.5, Value::Null, "note cleared");
    }
    assert_eq!(new_tasks[1].0, "early");
    assert_eq!(new_tasks[4].3, json!(["database-migration"]));
    let toml = repo.file_at(&new);
    assert!(toml.contains(&format!("\nfrom = \"{old}\"\n")), "{toml}");
    // The source's plan is untouched; it records, in one commit, which list
    // continued it. The new list verifies.
    let mut after = repo.show_json(&old);
    assert_eq!(after["continued_in"], json!([new]));
    for key in ["continued_in", "tip", "updated"] {
        after[key] = before[key].clone();
    }
    assert_eq!(after, before);
    run_code(repo.cmd().args(["-l", &new, "verify"]), 0);
    // An explicit title wins; by exact title works as LIST.
    let other = repo.create_with("Second attempt", &[], &["--from", &new]);
    assert_eq!(repo.show_json(&other)["title"], "Second attempt");
    assert_eq!(repo.show_json(&other)["from"], new.as_str());
    let by_title = repo.create_with("Third", &[], &["--from", "Second attempt"]);
    assert_eq!(repo.show_json(&by_title)["from"], other.as_str());
    repo.fsck();
}

#[test]
fn create_from_an_unknown_list_is_not_found() {
    let repo = TestRepo::new();
    repo.create("Existing", &["a"]);
    let refs = repo.refs();
    expect_error(repo.cmd().args(["create", "--from", "01a2ffff-0000-7000-8000-000000000000"]), 3);
    expect_error(repo.cmd().args(["create", "--from", "No such list"]), 3);
    assert_eq!(repo.refs(), refs);
}

#[test]

fn every_listed_template_is_usable_by_name() {
    let repo = TestRepo::new();
    repo_templates(&repo);
    repo.write(".tasklist/templates/Deploy.toml", DEPLOY);
    let listed: Vec<String> =
        templates_json(&repo).iter().filter_map(|t| t["name"].as_str().map(String::from)).collect();
    for name in listed {
        let out = repo.cmd().args(["create", "--template", &name]).output().unwrap();
        assert!(
            out.status.success(),
            "`templates` lists {name:?} but `create --template {name}` fails: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]

fn templates_text_columns_line_up() {
    let repo = TestRepo::new();
    repo_templates(&repo);
    repo.write(".tasklist/templates/deploy.toml", DEPLOY);
    let out = run_code(repo.cmd().arg("templates"), 0);
    let column = |name: &str, desc: &str| {
        let line = out.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap();
        line[..line.find(desc).unwrap()].chars().count()
    };
    assert_eq!(column("deploy", "Deploy to production"), column("bugfix", "Bug fix"), "{out}");
}

/// What `create --json --template SPEC` says on stderr, as JSON.
fn create_error(repo: &TestRepo, spec: &str) -> Value {
    let out = repo.cmd().args(["--json", "create", "T", "--template", spec]).assert().code(1);
    serde_json::from_slice(&out.get_output().stderr).unwrap()
}

#[test]
fn a_template_path_outside_the_work_tree_is_not_read() {
    let repo = TestRepo::new();
    let cargo = repo.home().join(".cargo");
    std::fs::create_dir_all(&cargo).unwrap();
    let secret = cargo.join("credentials.toml");
    std::fs::write(&secret, "[registry]\ntoken = \"cio-S3CRET-TOKEN\"\n").unwrap();
    let key = repo.home().join("id_rsa");
    std::fs::write(&key, "-----BEGIN OPENSSH PRIVATE KEY-----\nS3CRET\n").unwrap();
    for spec in [secret.to_str().unwrap(), key.to_str().unwrap(), "/etc/passwd", "../home/id_rsa"] {
        let e = create_error(&repo, spec);
        let text = e.to_string();
        assert_eq!(e["code"], "template_refused", "{spec}: {e}");
        assert!(
            !text.contains("S3CRET") && !text.contains("registry") && !text.contains("root:"),
            "{text}"
        );
        assert!(text.contains("nothing was read"), "{text}");
    }
    let e = create_error(&repo, secret.to_str().unwrap());
    assert!(e["error"].as_str().unwrap().contains("outside the repository's work tree"), "{e}");
    assert!(e["error"].as_str().unwrap().contains("copy it into .tasklist/templates/"), "{e}");
    let e = create_error(&repo, key.to_str().unwrap());
    assert!(e["error"].as_str().unwrap().contains("a template file's name ends in .toml"), "{e}");
    // A symlink in the work tree leading out is refused the same way, by
    // path and as a repository template by name.
    std::fs::create_dir_all(repo.path.join(".tasklist/templates")).unwrap();
    std::os::unix::fs::symlink(&secret, repo.path.join(".tasklist/templates/deploy.toml")).unwrap();
    std::os::unix::fs::symlink(&secret, repo.path.join("plan.toml")).unwrap();
    for spec in ["deploy", "./plan.toml"] {
        let e = create_error(&repo, spec);
        assert_eq!(e["code"], "template_refused", "{spec}: {e}");
        assert!(!e.to_string().contains("S3CRET"), "{e}");
    }
    let out = repo.cmd().arg("templates").assert().success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("deploy") && err.contains("outside the repository"), "{err}");
    assert!(!err.contains("S3CRET"), "{err}");
    no_lists(&repo);
}

#[test]
fn a_template_error_never_quotes_the_file() {
    let repo = TestRepo::new();
    for (name, text, says) in [
        (
            "secrets",
            "password = \"hunter2\"\n[db]\nurl = \"postgres://u:S3CRET@h\"\n",
            "unknown field `",
        ),
        (
            "typed",
            "sequential = \"S3CRET\"\n[[tasks]]\nid = \"a\"\n",
            "line 1, column 14: wrong type, expected a boolean",
        ),
        ("broken", "title = \"S3CRET\n", "line 1, column"),
    ] {
        repo.write(&format!("{name}.toml"), text);
        let e = create_error(&repo, &format!("{name}.toml"));
        let shown = e["error"].as_str().unwrap();
        assert_eq!(e["code"], "template_invalid", "{e}");
        assert!(shown.contains(says), "{name}: {shown}");
        assert!(!shown.contains("S3CRET") && !shown.contains("hunter2"), "{name}: {shown}");
    }
}

#[test]
fn the_mcp_template_parameter_follows_the_same_rule() {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    let repo = TestRepo::new();
    let secret = repo.home().join("credentials.toml");
    std::fs::write(&secret, "[registry]\ntoken = \"S3CRET\"\n").unwrap();
    repo.write("deploy.toml", DEPLOY);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut cmd = repo.std_cmd();
        cmd.env("TASKLIST_SESSION", "agent").arg("mcp");
        let transport =
            rmcp::transport::TokioChildProcess::new(tokio::process::Command::from(cmd)).unwrap();
        let client = ().serve(transport).await.unwrap();
        let call = |spec: String| {
            let client = &client;
            async move {
                let a = json!({"title": "T", "template": spec});
                let p = CallToolRequestParams::new("TaskListCreate")
                    .with_arguments(a.as_object().cloned().unwrap());
                client.call_tool(p).await.unwrap()
            }
        };
        let refused = call(secret.display().to_string()).await;
        assert_eq!(refused.is_error, Some(true));
        let text = serde_json::to_string(&refused).unwrap();
        assert!(text.contains("outside the repository's work tree"), "{text}");
        assert!(!text.contains("S3CRET") && !text.contains("registry"), "{text}");
        let made = call("deploy.toml".into()).await;
        assert_ne!(made.is_error, Some(true), "{made:?}");
        client.cancel().await.unwrap();
    });
}
