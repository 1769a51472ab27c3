//! The library API as a front end other than the CLI uses it: one
//! `Tasklists` shared by threads, typed errors to match on, and the same
//! state the CLI and git see.

use std::sync::Arc;

use git_tasklist_core::model::{Status, TaskId};
use git_tasklist_core::op::{NewTask, OpError, TaskChange};
use git_tasklist_core::{CreateRequest, Error, ErrorKind, Tasklists};

use crate::common::TestRepo;

fn tid(s: &str) -> TaskId {
    TaskId::parse(s).unwrap()
}

fn open(repo: &TestRepo, session: Option<&str>) -> Tasklists {
    Tasklists::open(Some(&repo.path), None).unwrap().with_session(session).unwrap()
}

fn plan(tl: &Tasklists, tasks: &[&str]) -> String {
    let req = CreateRequest {
        title: Some("Plan".into()),
        tasks: tasks
            .iter()
            .map(|t| NewTask { id: tid(t), title: String::new(), depends_on: vec![], note: None })
            .collect(),
        ..Default::default()
    };
    tl.create(&req).unwrap().id
}

#[test]
fn one_store_shared_by_threads_loses_no_update() {
    let repo = TestRepo::new();
    let tl = Arc::new(open(&repo, None));
    let id = plan(&tl, &["a", "b", "c", "d"]);
    let (threads, per) = (4, 15);
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (tl, id) = (Arc::clone(&tl), id.clone());
            std::thread::spawn(move || {
                for n in 0..per {
                    let task = tid(["a", "b", "c", "d"][t]);
                    let note = TaskChange { note: Some(format!("t{t}-{n}")), ..Default::default() };
                    tl.update(&id, &task, note).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(repo.commit_count(&id), 1 + threads * per);
    let v = repo.show_json(&id);
    for (t, task) in v["tasks"].as_array().unwrap().iter().enumerate() {
        assert_eq!(task["note"], format!("t{t}-{}", per - 1));
    }
    repo.fsck();
}

#[test]
fn errors_are_typed_and_name_no_flag() {
    let repo = TestRepo::new();
    let s1 = open(&repo, Some("s1"));
    let s2 = open(&repo, Some("s2"));
    let id = plan(&s1, &["a", "b"]);
    let start = TaskChange { status: Some(Status::InProgress), ..Default::default() };
    s1.update(&id, &tid("a"), start.clone()).unwrap();

    let e = s2.update(&id, &tid("a"), start.clone()).unwrap_err();
    let mut texts = vec![e.to_string()];
    assert!(
        matches!(e.op(), Some(OpError::HeldByOther { task, holder }) if task.as_str() == "a" && holder == "s1"),
        "{e:?}"
    );
    assert_eq!((e.kind(), e.code()), (ErrorKind::Conflict, "held_by_other"));

    let done = TaskChange { status: Some(Status::Completed), ..Default::default() };
    s1.update(&id, &tid("a"), done).unwrap();
    let back = TaskChange { status: Some(Status::Pending), ..Default::default() };
    let e = s1.update(&id, &tid("a"), back).unwrap_err();
    texts.push(e.to_string());
    assert!(matches!(e.op(), Some(OpError::NeedsReopen { wanted: Status::Pending, .. })), "{e:?}");

    let e = s1.update(&id, &tid("zz"), start.clone()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let e = s1.show("no-such-list").unwrap_err();
    assert_eq!(e.code(), "list_not_found");
    assert!(matches!(
        Tasklists::open(Some(&repo.path), None).unwrap().with_session(Some("a b")),
        Err(Error::InvalidSession(_))
    ));

    // No library message tells the caller which CLI flag to pass.
    for text in texts {
        assert!(!text.contains("--") && !text.contains("pass "), "{text}");
    }
}

#[test]
fn sequential_order_is_a_typed_error_naming_what_it_waits_for() {
    let repo = TestRepo::new();
    let tl = open(&repo, None);
    let req = CreateRequest {
        title: Some("Seq".into()),
        tasks: ["a", "b"]
            .iter()
            .map(|t| NewTask { id: tid(t), title: String::new(), depends_on: vec![], note: None })
            .collect(),
        sequential: true,
        ..Default::default()
    };
    let id = tl.create(&req).unwrap().id;
    let start = TaskChange { status: Some(Status::InProgress), ..Default::default() };
    let e = tl.update(&id, &tid("b"), start).unwrap_err();
    match e.op() {
        Some(OpError::OutOfOrder { task, waits_for }) => {
            assert_eq!(task.as_str(), "b");
            assert_eq!(waits_for, &vec![(tid("a"), Status::Pending)]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(repo.commit_count(&id), 1, "nothing written");
}

/// What a briefing and a check tell the caller to do is data, worded by
/// the caller's `Words`: by default without a command line or a flag.
#[test]
fn briefings_and_checks_name_no_command_line_unless_worded() {
    use git_tasklist_core::workflow::command::{Action, Choice, Command, Words};
    let repo = TestRepo::new();
    let s1 = open(&repo, Some("s1"));
    let id = plan(&s1, &["a"]);
    let start = TaskChange { status: Some(Status::InProgress), ..Default::default() };
    s1.update(&id, &tid("a"), start).unwrap();
    let b = open(&repo, Some("s2")).resume(&id).unwrap();
    let want = Action::Start { task: "a".into(), take_over: true };
    assert!(
        matches!(&b.next, Some(Command { namespace: None, list, action, .. }) if *list == id && *action == want),
        "{:?}",
        b.next
    );
    assert_eq!(b.next_command.as_deref(), Some(format!("take over task a in list {id}").as_str()));
    // A reset by hand, as a teammate's push would bring it.
    let done = TaskChange { status: Some(Status::Completed), ..Default::default() };
    s1.update(&id, &tid("a"), done).unwrap();
    let toml = crate::session_support::with_status(&repo.file_at(&id), "a", "pending");
    crate::session_support::commit_behind_back(&repo, &id, &toml, "Reset a by hand");
    let (_, verdict, _) = s1.verify(&id, &[]).unwrap();
    let message = &verdict.failures[0].message;
    assert!(message.contains("without an explicit reopen"), "{message}");
    assert!(!message.contains("--"), "{message}");

    struct Shouting;
    impl Words for Shouting {
        fn command(&self, c: &Command) -> String {
            format!("RUN {:?}", c.action)
        }
        fn choice(&self, c: Choice) -> String {
            format!("{c:?}").to_uppercase()
        }
    }
    let tl = open(&repo, Some("s2")).with_words(Arc::new(Shouting));
    let (_, verdict, _) = tl.verify(&id, &[]).unwrap();
    assert!(verdict.failures[0].message.contains("without REOPEN"), "{verdict:?}");
    assert!(tl.resume(&id).unwrap().next_command.unwrap().starts_with("RUN "));
}
