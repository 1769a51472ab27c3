//! Hostile lists: what a teammate can push must not stall, crash or take
//! other lists down. Deep dependency chains, wide fan-outs and large lists
//! read in near-linear time without recursion.

use crate::common::{TestRepo, stderr, stdout, toml_for};

/// A list of `n` tasks where task `t<i>` depends on `t<i+1>` (a chain as
/// deep as the list), and the first task also depends on every other (a
/// fan-out as wide as the list).
fn chain_and_fan(id: &str, n: usize, header: &str) -> String {
    let mut out = String::with_capacity(n * 120);
    out.push_str(header);
    out.push_str(&toml_for(id, ""));
    for i in 0..n {
        out.push_str(&format!(
            "\n[[tasks]]\nid = \"t{i}\"\ntitle = \"Task {i}\"\nstatus = \"pending\"\nupdated = 2026-01-01T00:00:00Z\n"
        ));
        if i + 1 < n {
            let deps = if i == 0 {
                (1..n).map(|j| format!("\"t{j}\"")).collect::<Vec<_>>().join(", ")
            } else {
                format!("\"t{}\"", i + 1)
            };
            out.push_str(&format!("depends_on = [{deps}]\n"));
        }
    }
    out
}

fn check_every_command(repo: &TestRepo, id: &str, n: usize) {
    let last = format!("t{}", n - 1);
    let show = stdout(&repo.cmd().args(["show", id]).assert().success().get_output().clone());
    assert_eq!(show.lines().filter(|l| l.starts_with("  ○ t")).count(), n, "every task is shown");
    assert!(
        show.contains(&format!("Next: {last}  Task {}", n - 1)),
        "{}",
        &show[show.len() - 200..]
    );
    let v = repo.show_json(id);
    assert_eq!(v["tasks"].as_array().unwrap().len(), n);
    assert_eq!(v["next"], last.as_str());
    let next = stdout(&repo.cmd().args(["-l", id, "next"]).assert().success().get_output().clone());
    assert!(next.starts_with(&format!("{last}  ")), "{next}");
    let list = stdout(&repo.cmd().arg("list").assert().success().get_output().clone());
    assert!(list.contains(&format!("0/{n}  Planted")), "{list}");
    assert!(list.contains("Neighbour"), "the other list is still listed: {list}");
    repo.cmd().args(["-l", id, "verify"]).assert().success();
    repo.cmd().args(["-l", id, "resume"]).assert().success();
    // Writes work too, and keep the order rules.
    let out = repo.cmd().args(["-l", id, "done", "t0"]).assert().code(4).get_output().clone();
    assert!(
        stderr(&out).contains("Task 't0' waits for 't1' (pending)"),
        "{}",
        &stderr(&out)[..200]
    );
    repo.cmd().args(["-l", id, "done", &last]).assert().success();
    assert_eq!(repo.status(id, &last), "completed");
}

#[test]
fn a_deep_chain_and_a_wide_fan_out_read_and_write_cleanly() {
    let repo = TestRepo::new();
    repo.create("Neighbour", &["a"]);
    let id = "01900000-0000-7000-8000-000000000001";
    let n = 20_000;
    repo.plant(&format!("refs/tasklists/{id}"), chain_and_fan(id, n, "").as_bytes());
    check_every_command(&repo, id, n);
    repo.fsck();
}

#[test]
fn the_general_toml_reader_takes_a_deep_chain_too() {
    // A comment makes the file non-canonical, so the general TOML reader runs.
    let repo = TestRepo::new();
    repo.create("Neighbour", &["a"]);
    let id = "01900000-0000-7000-8000-000000000002";
    let n = 5_000;
    let text = chain_and_fan(id, n, "# written by hand\n");
    repo.plant(&format!("refs/tasklists/{id}"), text.as_bytes());
    check_every_command(&repo, id, n);
}

#[test]
fn a_long_dependency_cycle_is_one_short_error_naming_the_list() {
    let repo = TestRepo::new();
    repo.create("Neighbour", &["a"]);
    let id = "01900000-0000-7000-8000-000000000003";
    let n = 30_000;
    let mut text = chain_and_fan(id, n, "");
    // Close the chain: the last task depends on the first.
    text.push_str("depends_on = [\"t0\"]\n");
    repo.plant(&format!("refs/tasklists/{id}"), text.as_bytes());
    let err = crate::common::expect_error(repo.cmd().args(["show", id]), 1);
    assert!(err.contains(id) && err.contains("depends_on forms a cycle: t0 → "), "{err}");
    assert!(err.len() < 600, "the error is short: {} bytes", err.len());
    // Every other list still works.
    let out = repo.cmd().arg("list").assert().success().get_output().clone();
    assert!(stdout(&out).contains("Neighbour"));
    assert!(stderr(&out).contains(id));
}
