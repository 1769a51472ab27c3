//! `git-tasklist mcp` driven as a real MCP client does (rmcp client over a
//! child process): tools/list, calls with structured results, errors as
//! `isError`, and the changes visible through the CLI and git.

use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};

use crate::common::TestRepo;

fn server_cmd(repo: &TestRepo, session: &str) -> tokio::process::Command {
    let std_cmd = {
        let mut c = repo.std_cmd();
        c.env("TASKLIST_SESSION", session).arg("mcp");
        c
    };
    tokio::process::Command::from(std_cmd)
}

fn args(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

#[test]
fn an_mcp_client_creates_updates_and_resumes_a_list() {
    let repo = TestRepo::new();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let transport = TokioChildProcess::new(server_cmd(&repo, "agent-1")).unwrap();
        let client = ().serve(transport).await.unwrap();
        let tools = client.list_all_tools().await.unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        for want in [
            "TaskListCreate",
            "TaskListGet",
            "TaskListList",
            "TaskCreate",
            "TaskUpdate",
            "TaskListResume",
            "TaskListVerify",
            "TaskListHandoff",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        for t in &tools {
            assert!(t.output_schema.is_some(), "{} has no output schema", t.name);
        }
        let listed = serde_json::to_string(&tools).unwrap();
        // 7,962 before the one-data-path fields the text needs (a list's `next_step`,
        // a change's `changed_task`, verify's `title` and `next_step`, list's
        // `archived_hidden`) added 429.
        assert!(listed.len() <= 8_400, "tools/list is {} characters", listed.len());

        let call = |name: &'static str, a: Value| {
            let client = &client;
            async move {
                client.call_tool(CallToolRequestParams::new(name).with_arguments(args(a))).await.unwrap()
            }
        };
        let created = call(
            "TaskListCreate",
            json!({"title": "Migration", "tasks": [
                {"subject": "Migrate the schema"}, {"subject": "Port the code", "blockedBy": ["migrate-the-schema"]}
            ]}),
        )
        .await;
        assert_ne!(created.is_error, Some(true), "{created:?}");
        let v = created.structured_content.clone().unwrap();
        let id = v["id"].as_str().unwrap().to_string();
        assert_eq!(v["tasks"][0]["id"], "migrate-the-schema");
        assert_eq!(v["tasks"][1]["depends_on"][0], "migrate-the-schema");

        let done = call("TaskUpdate", json!({"list": id, "taskId": "migrate-the-schema", "status": "in_progress"})).await;
        assert_eq!(done.structured_content.unwrap()["tasks"][0]["owner"], "agent-1");
        let bad = call("TaskUpdate", json!({"list": id, "taskId": "nope", "status": "completed"})).await;
        assert_eq!(bad.is_error, Some(true));
        let text = serde_json::to_string(&bad.content).unwrap();
        assert!(text.contains("Task 'nope' not found"), "{text}");
        // The server is still there after a failure.
        let added = call("TaskCreate", json!({"list": id, "subject": "Write docs", "description": "for users"})).await;
        assert_eq!(added.structured_content.unwrap()["tasks"][2]["note"], "for users");
        call("TaskUpdate", json!({"list": id, "taskId": "migrate-the-schema", "status": "completed", "note": "v2"})).await;
        let resumed = call("TaskListResume", json!({"list": id})).await.structured_content.unwrap();
        assert_eq!(resumed["next"]["id"], "port-the-code");
        assert_eq!(resumed["verify"]["verified"], true);
        let verified = call("TaskListVerify", json!({"list": id, "expect": ["migrate-the-schema=completed"]})).await;
        assert_eq!(verified.structured_content.unwrap()["verified"], true);
        let handed = call("TaskListHandoff", json!({"list": id, "note": "schema done"})).await;
        assert!(handed.structured_content.unwrap()["document"].as_str().unwrap().contains("schema done"));
        let got = call("TaskListGet", json!({"list": &id[..24]})).await.structured_content.unwrap();
        assert_eq!(got["progress"]["done"], 1);
        let all = call("TaskListList", json!({})).await.structured_content.unwrap();
        assert_eq!(all["lists"][0]["id"], id.as_str());
        client.cancel().await.unwrap();

        // Visible through the CLI and git, tagged with the server's session.
        assert_eq!(repo.status(&id, "migrate-the-schema"), "completed");
        let sessions = repo.git(&["log", "--format=%(trailers:key=Session,valueonly)", &format!("refs/tasklists/{id}")]);
        assert!(sessions.lines().filter(|l| !l.is_empty()).all(|l| l == "agent-1"), "{sessions}");
        repo.fsck();
    });
}

#[test]
fn two_servers_writing_one_list_lose_nothing() {
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a", "b"]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut clients = Vec::new();
        for s in ["s1", "s2"] {
            clients.push(
                ().serve(TokioChildProcess::new(server_cmd(&repo, s)).unwrap()).await.unwrap(),
            );
        }
        let per = 20;
        let mut calls = Vec::new();
        for (k, c) in clients.iter().enumerate() {
            let task = ["a", "b"][k];
            let id = id.clone();
            calls.push(async move {
                for n in 0..per {
                    let a = args(json!({"list": id, "taskId": task, "note": format!("{task}{n}")}));
                    let r = c
                        .call_tool(CallToolRequestParams::new("TaskUpdate").with_arguments(a))
                        .await
                        .unwrap();
                    assert_ne!(r.is_error, Some(true), "{r:?}");
                }
            });
        }
        let (x, y) = (calls.remove(0), calls.remove(0));
        tokio::join!(x, y);
        drop(calls);
        for c in clients {
            c.cancel().await.unwrap();
        }
    });
    assert_eq!(repo.commit_count(&id), 1 + 2 * 20);
    let v = repo.show_json(&id);
    assert_eq!(v["tasks"][0]["note"], "a19");
    assert_eq!(v["tasks"][1]["note"], "b19");
}

#[test]
fn without_a_session_the_server_takes_the_client_s_name_and_its_start_time() {
    use rmcp::model::{ClientCapabilities, ClientConfig, Implementation};
    let repo = TestRepo::new();
    let id = repo.create("Plan", &["a"]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let before = chrono_like_now();
    rt.block_on(async {
        let mut c = repo.std_cmd();
        c.env_remove("TASKLIST_SESSION").arg("mcp");
        let transport = TokioChildProcess::new(tokio::process::Command::from(c)).unwrap();
        let info = ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("Test Agent/2", "1.0"),
        );
        let client = info.serve(transport).await.unwrap();
        let a = args(json!({"list": id, "taskId": "a", "status": "in_progress"}));
        let r = client
            .call_tool(CallToolRequestParams::new("TaskUpdate").with_arguments(a))
            .await
            .unwrap();
        assert_ne!(r.is_error, Some(true), "{r:?}");
        client.cancel().await.unwrap();
    });
    let owner = repo.show_json(&id)["tasks"][0]["owner"].as_str().unwrap().to_string();
    let stamp = owner.strip_prefix("Test-Agent-2-").unwrap_or_else(|| panic!("{owner}"));
    assert_eq!(stamp.len(), "20261202T011500Z".len(), "{owner}");
    assert!(stamp >= before.as_str(), "{stamp} is the server's start time, after {before}");
    let trailers = repo.trailers(&format!("refs/tasklists/{id}"));
    assert!(trailers.contains(&("Session".into(), owner.clone())), "{trailers:?}");
}

/// The time now in UTC, as `YYYYmmddTHHMMSSZ`.
fn chrono_like_now() -> String {
    chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string()
}
