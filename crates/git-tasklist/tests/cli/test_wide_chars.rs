//! Columns stay aligned when titles, ids or authors hold characters that take
//! two terminal columns (CJK, emoji).

use unicode_width::UnicodeWidthStr;

use crate::common::{TestRepo, stdout};

/// The terminal column where `needle` starts in `line`.
fn column(line: &str, needle: &str) -> usize {
    let at = line.find(needle).unwrap_or_else(|| panic!("{needle:?} not in {line:?}"));
    line[..at].width()
}

#[test]
fn show_and_resume_align_statuses_by_display_width() {
    let repo = TestRepo::new();
    let id = repo.create("宽字符", &["a=数据库迁移", "b=Plain title", "c=🚀 launch"]);
    for cmd in ["show", "resume"] {
        let out = repo.cmd().args(["-l", &id, cmd]).assert().success();
        let text = stdout(out.get_output());
        let lines: Vec<&str> = text.lines().filter(|l| l.ends_with("pending")).collect();
        assert_eq!(lines.len(), 3, "{text}");
        let cols: Vec<usize> = lines.iter().map(|l| column(l, "pending")).collect();
        assert!(cols.iter().all(|c| *c == cols[0]), "{cmd}: columns {cols:?}:\n{text}");
    }
}

#[test]
fn log_aligns_sessions_after_wide_author_names() {
    let repo = TestRepo::new();
    let id = repo.create("Log", &["a", "b"]);
    repo.cmd()
        .env("GIT_AUTHOR_NAME", "张三")
        .args(["--session", "s1", "-l", &id, "start", "a"])
        .assert()
        .success();
    repo.cmd().args(["--session", "s2", "-l", &id, "start", "b"]).assert().success();
    let out = repo.cmd().args(["-l", &id, "log"]).assert().success();
    let text = stdout(out.get_output());
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("] ")).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(column(lines[0], "[s2]"), column(lines[1], "[s1]"), "{text}");
}
